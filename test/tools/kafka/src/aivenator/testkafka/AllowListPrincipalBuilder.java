// A principal builder for the test broker's SSL listener: the principal is the
// certificate's CN (through ssl.principal.mapping.rules, as DefaultKafkaPrincipalBuilder
// does), and it is refused unless that name is in an allow list file. The test
// harness rewrites the file whenever a user of the fake Aiven's Kafka service is
// created or deleted, so a deleted user's certificate, although still signed by the
// project CA, no longer gets a connection: revocation, as the real service does it.
//
// Registered with principal.builder.class; the file is named by the broker config
// aivenator.allow.list.file. Each request on an SSL connection reads the file
// again, so revocation also cuts connections that were open before it.
package aivenator.testkafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Configurable;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.internals.BrokerSecurityConfigs;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.security.auth.AuthenticationContext;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.KafkaPrincipalBuilder;
import org.apache.kafka.common.security.auth.KafkaPrincipalSerde;
import org.apache.kafka.common.security.auth.SslAuthenticationContext;
import org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

public class AllowListPrincipalBuilder implements KafkaPrincipalBuilder, KafkaPrincipalSerde, Configurable {
    public static final String ALLOW_LIST_FILE_CONFIG = "aivenator.allow.list.file";

    private DefaultKafkaPrincipalBuilder delegate = new DefaultKafkaPrincipalBuilder(null, SslPrincipalMapper.fromRules("DEFAULT"));
    private Path allowList;

    @Override
    public void configure(Map<String, ?> configs) {
        Object rules = configs.get(BrokerSecurityConfigs.SSL_PRINCIPAL_MAPPING_RULES_CONFIG);
        delegate = new DefaultKafkaPrincipalBuilder(null, SslPrincipalMapper.fromRules(rules == null ? "DEFAULT" : rules.toString()));
        Object file = configs.get(ALLOW_LIST_FILE_CONFIG);
        if (file == null) file = System.getProperty(ALLOW_LIST_FILE_CONFIG);
        if (file == null) throw new ConfigException(ALLOW_LIST_FILE_CONFIG + " is not set");
        allowList = Paths.get(file.toString());
    }

    @Override
    public KafkaPrincipal build(AuthenticationContext context) {
        KafkaPrincipal principal = delegate.build(context);
        if (!(context instanceof SslAuthenticationContext)) return principal;
        if (!allowed().contains(principal.getName())) {
            throw new SslAuthenticationException("certificate of " + principal + " is valid but its user no longer exists");
        }
        return principal;
    }

    private Set<String> allowed() {
        try {
            Set<String> names = new HashSet<>();
            for (String line : Files.readAllLines(allowList, StandardCharsets.UTF_8)) {
                String name = line.trim();
                if (!name.isEmpty()) names.add(name);
            }
            return names;
        } catch (IOException e) {
            // No file (yet) means nobody is allowed.
            return new HashSet<>();
        }
    }

    @Override
    public byte[] serialize(KafkaPrincipal principal) {
        return delegate.serialize(principal);
    }

    @Override
    public KafkaPrincipal deserialize(byte[] bytes) {
        return delegate.deserialize(bytes);
    }
}
