// Launcher starts an in-process Neo4j 5 (neo4j-harness) with only the Bolt
// connector, prints its bolt:// URI on stdout, and stays up until killed.
//
// Run without a compile step (Java 11+ single-file source launcher):
//
//	java -cp '<cache>/lib/*' Launcher.java [host] [port] [workdir] [seed]
//
// seed, when given, is a Neo4j home whose data/ was written offline (by
// `neo4j-admin database import full`); the server starts on a copy of it.
//
// Defaults: 127.0.0.1 7687, a fresh temporary working directory. Auth is
// disabled (the harness default), TLS is off, the HTTP server is not started.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

public class Launcher {
    public static void main(String[] args) throws Exception {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 7687;
        Path work = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("reachgraph-neo4j");
        Files.createDirectories(work);

        var builder = Neo4jBuilders.newInProcessBuilder(work);
        if (args.length > 3) {
            builder = builder.copyFrom(Path.of(args[3]));
        }
        Neo4j neo4j = builder
                .withDisabledServer()
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .build();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            neo4j.close();
            done.countDown();
        }));
        System.out.println(neo4j.boltURI());
        System.out.flush();
        done.await();
    }
}
