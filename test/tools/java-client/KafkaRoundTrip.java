// A plain Kafka client as a Java application would use it: configured only from
// a properties file, it produces one message and consumes it back. The
// credentials tests compile it with javac against the cached kafka-clients jar.
//
//   java -cp <kafka-clients and its dependencies>:<classes> KafkaRoundTrip <client.properties> <topic> <group> <message>
//
// Prints "produced: ..." and "consumed: <message>" and exits 0; on any failure
// prints the exception and exits 1.
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class KafkaRoundTrip {
    private static final long TIMEOUT_MS = 45_000;

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: KafkaRoundTrip <client.properties> <topic> <group> <message>");
            System.exit(2);
        }
        try {
            run(args[0], args[1], args[2], args[3]);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String configFile, String topic, String group, String message) throws Exception {
        Properties config = new Properties();
        try (Reader reader = Files.newBufferedReader(Paths.get(configFile))) {
            config.load(reader);
        }

        Properties producerConfig = new Properties();
        producerConfig.putAll(config);
        producerConfig.put("key.serializer", StringSerializer.class.getName());
        producerConfig.put("value.serializer", StringSerializer.class.getName());
        producerConfig.put("acks", "all");
        producerConfig.put("max.block.ms", "30000");
        producerConfig.put("delivery.timeout.ms", "30000");
        producerConfig.put("request.timeout.ms", "15000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(topic, message)).get();
            System.out.println("produced: " + sent.topic() + "-" + sent.partition() + "@" + sent.offset());
        }

        Properties consumerConfig = new Properties();
        consumerConfig.putAll(config);
        consumerConfig.put("key.deserializer", StringDeserializer.class.getName());
        consumerConfig.put("value.deserializer", StringDeserializer.class.getName());
        consumerConfig.put("group.id", group);
        consumerConfig.put("auto.offset.reset", "earliest");
        consumerConfig.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + TIMEOUT_MS;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (message.equals(record.value())) {
                        System.out.println("consumed: " + record.value());
                        return;
                    }
                }
            }
        }
        throw new IllegalStateException("message not consumed within " + TIMEOUT_MS + " ms");
    }
}
