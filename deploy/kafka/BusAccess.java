/*
 * Who may do what on the local Kafka bus: SCRAM credentials and ACLs, applied through Kafka's own
 * Admin API (the broker's StandardAuthorizer keeps them in the KRaft metadata log).
 *
 * Run by deploy/infra/kafka_access.py as a single-file source program (java BusAccess.java, JEP 330)
 * on the broker's class path; it reads its connection from a properties file (the broker's own
 * PLAIN identity, a super user) and what to apply from a spec file with one tab-separated line each:
 *
 *   user    <name>  <password>                                  SCRAM-SHA-512 credential (upserted)
 *   allow   <principal>  <TOPIC|GROUP|CLUSTER>  <LITERAL|PREFIXED>  <resource name>  <operation>
 *   scope   <TOPIC|GROUP|CLUSTER>  <LITERAL|PREFIXED>  <resource name>
 *
 * An ACL on a resource a "scope" line names that the spec does not allow is deleted: the bus grants
 * what the code says and nothing it once said (a spec of scope lines alone revokes everything on
 * them). ACLs on other resources (another topic prefix's) are left alone. Prints one summary line.
 */

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public class BusAccess {
    private static final int SCRAM_ITERATIONS = 8192;

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java BusAccess.java <admin.properties> <spec.tsv>");
            System.exit(2);
        }
        Properties connection = new Properties();
        try (var reader = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
            connection.load(reader);
        }
        List<UserScramCredentialAlteration> users = new ArrayList<>();
        Set<AclBinding> wanted = new HashSet<>();
        Set<ResourcePattern> scope = new HashSet<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", -1);
            switch (f[0]) {
                case "user" -> {
                    need(f, 3, lineNo);
                    users.add(new UserScramCredentialUpsertion(
                        f[1], new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), f[2]));
                }
                case "allow" -> {
                    need(f, 6, lineNo);
                    wanted.add(new AclBinding(
                        pattern(f[2], f[3], f[4]),
                        new AccessControlEntry(f[1], "*", AclOperation.fromString(f[5]), AclPermissionType.ALLOW)));
                }
                case "scope" -> {
                    need(f, 4, lineNo);
                    scope.add(pattern(f[1], f[2], f[3]));
                }
                default -> throw new IllegalArgumentException("line " + lineNo + ": unknown kind " + f[0]);
            }
        }
        try (Admin admin = Admin.create(connection)) {
            if (!users.isEmpty()) {
                admin.alterUserScramCredentials(users).all().get(60, TimeUnit.SECONDS);
            }
            List<AclBinding> stale = new ArrayList<>();
            Set<AclBinding> present = new HashSet<>();
            for (AclBinding binding : admin.describeAcls(AclBindingFilter.ANY).values().get(60, TimeUnit.SECONDS)) {
                present.add(binding);
                if (scope.contains(binding.pattern()) && !wanted.contains(binding)) {
                    stale.add(binding);
                }
            }
            List<AclBinding> missing = new ArrayList<>();
            for (AclBinding binding : wanted) {
                if (!present.contains(binding)) missing.add(binding);
            }
            if (!stale.isEmpty()) {
                admin.deleteAcls(stale.stream().map(AclBinding::toFilter).toList()).all().get(60, TimeUnit.SECONDS);
            }
            if (!missing.isEmpty()) {
                admin.createAcls(missing).all().get(60, TimeUnit.SECONDS);
            }
            System.out.printf(
                "bus access: %d credential(s) set, %d ACL(s) created, %d removed, %d kept%n",
                users.size(), missing.size(), stale.size(), wanted.size() - missing.size());
        }
    }

    private static ResourcePattern pattern(String type, String patternType, String name) {
        return new ResourcePattern(ResourceType.fromString(type), name, PatternType.fromString(patternType));
    }

    private static void need(String[] fields, int count, int lineNo) {
        if (fields.length != count) {
            throw new IllegalArgumentException("line " + lineNo + ": expected " + count + " fields, got " + fields.length);
        }
    }
}
