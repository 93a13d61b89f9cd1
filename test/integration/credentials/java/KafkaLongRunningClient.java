// A Kafka client that lives like an application in a pod: started once with a
// properties file (its environment, including the store password of the day),
// it keeps one producer for its whole life and, on each command, also opens a
// new producer and a new consumer — which read the store files from disk again,
// as the kubelet may have replaced them in the meantime.
//
//   java -cp <kafka-clients jars>:<classes> KafkaLongRunningClient <client.properties>
//
// stdin, one command a line:  roundtrip <topic> <message>   |   quit
// stdout, one answer a line:  ready | ok <topic> | error <topic> <exception>
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class KafkaLongRunningClient {
    private static final long TIMEOUT_MS = 45_000;

    public static void main(String[] args) throws Exception {
        Properties config = new Properties();
        try (Reader reader = Files.newBufferedReader(Paths.get(args[0]))) {
            config.load(reader);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        try (KafkaProducer<String, String> longLived = producer(config)) {
            System.out.println("ready");
            for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
                String[] cmd = line.split(" ", 3);
                try {
                    roundTrip(config, longLived, cmd[1], cmd[2]);
                    System.out.println("ok " + cmd[1]);
                } catch (Exception e) {
                    System.out.println("error " + cmd[1] + " " + e.toString().replace('\n', ' '));
                }
            }
        }
    }

    private static KafkaProducer<String, String> producer(Properties config) {
        Properties p = new Properties();
        p.putAll(config);
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("acks", "all");
        p.put("max.block.ms", "30000");
        p.put("delivery.timeout.ms", "30000");
        p.put("request.timeout.ms", "15000");
        return new KafkaProducer<>(p);
    }

    /** Sends through the long-lived producer and through a new one, then reads both back with a new consumer. */
    private static void roundTrip(Properties config, KafkaProducer<String, String> longLived, String topic, String message) throws Exception {
        longLived.send(new ProducerRecord<>(topic, message + " (long-lived producer)")).get();
        try (KafkaProducer<String, String> fresh = producer(config)) {
            fresh.send(new ProducerRecord<>(topic, message + " (new producer)")).get();
        }
        Properties c = new Properties();
        c.putAll(config);
        c.put("key.deserializer", StringDeserializer.class.getName());
        c.put("value.deserializer", StringDeserializer.class.getName());
        c.put("group.id", topic);
        c.put("auto.offset.reset", "earliest");
        c.put("enable.auto.commit", "false");
        Set<String> wanted = new HashSet<>(List.of(message + " (long-lived producer)", message + " (new producer)"));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + TIMEOUT_MS;
            while (!wanted.isEmpty() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) wanted.remove(record.value());
            }
        }
        if (!wanted.isEmpty()) throw new IllegalStateException("not consumed within " + TIMEOUT_MS + " ms: " + wanted);
    }
}
