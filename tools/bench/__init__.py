"""``make bench``: the whole pipeline under load, measured against the engines underneath.

N dossiers (default 1,000) go through intake over HTTP, the four review levels (reviewers acting
through the task API), decision issuance and notifications, on a stack of the benchmark's own
(``.stack/bench``: Kafka, Temporal, PostgreSQL, the mail catcher and the five platform processes),
started afresh for each load — new databases and topics, an empty Temporal store — so a load is
measured on its own and not on the rows and histories of the loads before it. Beside each load,
on the same machine in the same run: (a) a bare Temporal workflow of the same shape (last, on an
empty Temporal store with the platform stopped), (b) raw aiokafka producing and consuming the same events, (c) a bare FastAPI + SQLModel
insert. It reports throughput, latency percentiles per stage and their ratios to the baselines,
each process's peak memory and CPU, writes ``benchmarks/results.json`` and
``benchmarks/bench.png``; BENCHMARKS.md explains the method and keeps the numbers.

    python -m tools.bench [--sizes 100,1000,5000] [--concurrency 50] [--half-rate-dossiers 300]
"""
