"""The local identity provider's configuration as code: the sample staff (``staff.json``, made by
``people.py`` from the sample province's organisations) and the ``tdkt`` realm built from them
(``realm.py``).  Pure standard library, like ``deploy.infra``, which imports it to start Keycloak."""
