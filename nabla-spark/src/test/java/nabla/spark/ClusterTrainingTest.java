package nabla.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import nabla.Tensor;
import nabla.data.TensorDataset;
import nabla.nn.CrossEntropyLoss;
import nabla.optim.SGD;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Training on a real multi-process cluster: Spark's {@code local-cluster[2,1,768]} (a standalone
 * master and two workers in this JVM, each worker's executor in its own JVM), including an executor
 * killed mid-training.
 */
class ClusterTrainingTest {
  static SparkSession spark;
  static TensorDataset data;

  @BeforeAll
  static void start() throws Exception {
    spark = SparkTestSupport.cluster(2, 768);
    data = SparkTestSupport.trainSubset(4096, 3);
  }

  @AfterAll
  static void stop() throws Exception {
    if (spark != null) {
      spark.close();
    }
  }

  /**
   * The executor JVMs: the java processes this JVM started (the in-process standalone workers start
   * them; nothing else here starts a process). Their command lines are too long for the kernel's
   * view to reach the main class, so the test below checks these are the JVMs tasks ran in.
   */
  static List<ProcessHandle> executors() {
    return ProcessHandle.current()
        .children()
        .filter(p -> p.isAlive() && p.info().command().map(c -> c.endsWith("java")).orElse(false))
        .toList();
  }

  static Map<String, Tensor> train(SparkData train, int killAtStep, long[] killed) {
    return new SparkTrainer(spark, () -> Models.mlp(0), CrossEntropyLoss::new, p -> new SGD(p, 0.1))
        .epochs(2)
        .batchSize(256)
        .seed(5)
        .onBatchEnd(
            (epoch, k, n, loss) -> {
              if (epoch == 1 && k == killAtStep) {
                ProcessHandle victim = executors().get(0);
                killed[0] = victim.pid();
                // a little later, so the kill lands while the next step's tasks run
                Thread.ofPlatform()
                    .start(
                        () -> {
                          try {
                            Thread.sleep(20);
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                          victim.destroyForcibly();
                        });
              }
            })
        .fit(train)
        .model()
        .stateDict();
  }

  @Test
  void executorsRunInTheirOwnJvms() {
    try (SparkData train = SparkData.of(spark, data, 2)) {
      long driverPid = ProcessHandle.current().pid();
      List<Long> pids = train.blocks().map(b -> ProcessHandle.current().pid()).collect();
      assertEquals(2, pids.size());
      assertTrue(pids.stream().noneMatch(p -> p == driverPid), pids + " vs driver " + driverPid);
      List<Long> children = executors().stream().map(ProcessHandle::pid).toList();
      assertTrue(children.containsAll(pids), "task JVMs " + pids + ", child JVMs " + children);
    }
  }

  @Test
  void aKilledExecutorIsReplacedAndTheParametersAreTheSame() {
    AtomicInteger removed = new AtomicInteger();
    AtomicInteger failedTasks = new AtomicInteger();
    AtomicLong tasks = new AtomicLong();
    spark
        .sparkContext()
        .addSparkListener(
            new SparkListener() {
              @Override
              public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
                removed.incrementAndGet();
              }

              @Override
              public void onTaskEnd(SparkListenerTaskEnd e) {
                tasks.incrementAndGet();
                if (e.reason() != Success$.MODULE$) {
                  failedTasks.incrementAndGet();
                }
              }
            });
    try (SparkData train = SparkData.of(spark, data, 2)) {
      long[] none = {-1};
      Map<String, Tensor> uninterrupted = train(train, -1, none);
      long[] killed = {-1};
      Map<String, Tensor> interrupted = train(train, 5, killed);
      assertTrue(killed[0] > 0, "no executor was killed");
      assertFalse(
          ProcessHandle.of(killed[0]).map(ProcessHandle::isAlive).orElse(false),
          "executor " + killed[0] + " still runs");
      assertTrue(removed.get() >= 1, "Spark did not notice the lost executor");
      double max = SparkTrainerEquivalenceTest.maxAbsDiff(uninterrupted, interrupted);
      System.out.printf(
          "ClusterTrainingTest: killed executor pid %d; executors removed %d, failed tasks %d of"
              + " %d; max abs difference to the uninterrupted run %s%n",
          killed[0], removed.get(), failedTasks.get(), tasks.get(), max);
      // ordered sums and deterministic shard gradients: the very same floats
      assertEquals(
          0.0, max, "parameters after the executor was killed differ from the run without");
      assertTrue(
          SparkTrainerEquivalenceTest.maxAbsDiff(uninterrupted, Models.mlp(0).stateDict()) > 1e-3);
    }
  }
}
