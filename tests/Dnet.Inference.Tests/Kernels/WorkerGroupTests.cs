using Dnet.Inference.Kernels;

namespace Dnet.Inference.Tests.Kernels;

[TestClass]
public sealed class WorkerGroupTests
{
    sealed class Counting(int items) : IParallelWork
    {
        public int[] Runs { get; } = new int[items];

        public int[] Workers { get; } = new int[items];

        public void Run(int item, int worker)
        {
            Interlocked.Increment(ref Runs[item]);
            Workers[item] = worker;
        }
    }

    [TestMethod]
    public void EveryItemRunsExactlyOnceAcrossManyJobs()
    {
        using var group = new WorkerGroup(3);
        for (int job = 0; job < 20_000; job++)
        {
            int items = 1 + job % 40;
            var work = new Counting(items);
            group.Run(work, items);
            for (int i = 0; i < items; i++)
            {
                Assert.AreEqual(1, work.Runs[i], $"job {job} item {i}");
            }
            Assert.IsTrue(work.Workers.All(w => w is >= 0 and < 3));
        }
        Assert.AreEqual(20_000, group.Jobs);
    }

    [TestMethod]
    public void ParkedWorkersWakeForTheNextJob()
    {
        using var group = new WorkerGroup(2);
        for (int round = 0; round < 3; round++)
        {
            Thread.Sleep(20); // past the spin window: the worker parks
            var work = new Counting(64);
            group.Run(work, 64);
            Assert.IsTrue(work.Runs.All(r => r == 1));
        }
    }

    [TestMethod]
    public void RestParksIdleWorkersWithoutWaitingOutTheirSpin()
    {
        // A spin window no test outlives: a worker that parks did so because of Rest.
        using var group = new WorkerGroup(3, spin: TimeSpan.FromHours(1));
        var work = new Counting(64);
        group.Run(work, 64);
        Assert.AreEqual(0, group.ParkedWorkers, "workers spin after a job until their window ends");

        group.Rest();
        var parked = SpinWait.SpinUntil(() => group.ParkedWorkers == 2, TimeSpan.FromSeconds(30));

        Assert.IsTrue(parked, $"{group.ParkedWorkers} of 2 workers parked after Rest");
        var next = new Counting(64);
        group.Run(next, 64);
        Assert.IsTrue(next.Runs.All(r => r == 1), "the next job runs every item once");
    }
}
