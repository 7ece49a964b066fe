using System.Diagnostics;

namespace Dnet.Inference.Kernels;

/// <summary>One job split into numbered items that any thread of a <see cref="WorkerGroup"/> may run.</summary>
interface IParallelWork
{
    /// <param name="item">Item number in [0, items).</param>
    /// <param name="worker">The running thread's index in [0, threads), for per-thread scratch.</param>
    void Run(int item, int worker);
}

/// <summary>
/// Threads that run the items of one job at a time, for the hundreds of small kernel calls of every decoded token.
/// The caller publishes a job by bumping a generation number and then runs items itself; workers spin briefly on
/// that number between jobs (no kernel transition per call, unlike Parallel.For or an event per call) and park on
/// a semaphore when idle. Items are claimed one at a time by compare-and-swap on one word (job, count, next), so a
/// worker that the OS preempts holds back at most the item it is running, and the caller takes the rest: on an
/// oversubscribed machine this degrades to the caller doing the job alone instead of waiting at a barrier.
/// </summary>
sealed class WorkerGroup : IDisposable
{
    static readonly long DefaultSpinTicks = Stopwatch.Frequency / 5000; // 200 µs: longer than the gaps inside a token

    // The cursor holds the whole claimable state of the current job in one word: generation (28 bits), item count
    // (18 bits), next item (18 bits). A claim is one compare-and-swap on it, so a worker that read the cursor of an
    // earlier job can never claim an item of a later one, and it reads the job only after a successful claim, when
    // the caller cannot have moved on (it waits for every claimed item).
    const int ItemBits = 18;
    const long ItemMask = (1L << ItemBits) - 1;

    /// <summary>Most items one job can have; larger jobs run on the caller.</summary>
    public const int MaxItems = (int)ItemMask;

    readonly Thread[] _threads;
    readonly SemaphoreSlim[] _wake;
    readonly int[] _parked;
    readonly long _spinTicks;
    IParallelWork? _work;
    long _cursor;
    int _generation;
    int _done;
    volatile bool _stopping;
    volatile bool _resting;

    /// <param name="threads">Threads that run items, the caller included.</param>
    /// <param name="spin">How long an idle worker spins before it parks; 200 µs when null.</param>
    public WorkerGroup(int threads, TimeSpan? spin = null)
    {
        Threads = Math.Max(1, threads);
        _spinTicks = spin is { } span ? (long)(span.TotalSeconds * Stopwatch.Frequency) : DefaultSpinTicks;
        _threads = new Thread[Threads - 1];
        _wake = new SemaphoreSlim[Threads - 1];
        _parked = new int[Threads - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int worker = i + 1;
            _wake[i] = new SemaphoreSlim(0);
            _threads[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"dnet-kernel-{worker}" };
            _threads[i].Start();
        }
    }

    /// <summary>Threads that run items, the caller included.</summary>
    public int Threads { get; }

    /// <summary>Jobs run so far (a measure of synchronizations, for tests and benchmarks).</summary>
    public long Jobs { get; private set; }

    /// <summary>Workers that are parked now (for tests).</summary>
    internal int ParkedWorkers
    {
        get
        {
            int parked = 0;
            for (int i = 0; i < _parked.Length; i++)
            {
                parked += Volatile.Read(ref _parked[i]);
            }

            return parked;
        }
    }

    /// <summary>
    /// The caller has no job coming soon (a shard whose queue is empty after a step): idle workers park now instead of
    /// spinning out their window. On a machine whose cores every process shares, that spin would take a core from
    /// the next hop of the ring, which has the work. The next <see cref="Run"/> wakes them.
    /// </summary>
    public void Rest() => _resting = true;

    /// <summary>Runs items [0, items) of <paramref name="work"/> and returns when all are done. One caller at a time.</summary>
    public void Run(IParallelWork work, int items)
    {
        Jobs++;
        _resting = false;
        if (items <= 0)
        {
            return;
        }
        if (items == 1 || items > MaxItems || _threads.Length == 0)
        {
            for (int i = 0; i < items; i++)
            {
                work.Run(i, 0);
            }
            return;
        }
        int generation = (_generation + 1) & ((1 << (64 - 2 * ItemBits)) - 1);
        _work = work;
        _done = 0;
        // Full fence: the job and the reset count are visible before any claim can succeed.
        Interlocked.Exchange(ref _cursor, ((long)generation << (2 * ItemBits)) | ((long)items << ItemBits));
        Volatile.Write(ref _generation, generation);
        for (int i = 0; i < _parked.Length; i++)
        {
            if (Interlocked.Exchange(ref _parked[i], 0) == 1)
            {
                _wake[i].Release();
            }
        }
        int mine = Drain(0);
        if (mine > 0 && Interlocked.Add(ref _done, mine) == items)
        {
            return;
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref _done) != items)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Claims and runs items of the current job until none are left; returns how many it ran.</summary>
    int Drain(int worker)
    {
        int ran = 0;
        while (true)
        {
            long cursor = Volatile.Read(ref _cursor);
            long next = cursor & ItemMask;
            if (next >= ((cursor >> ItemBits) & ItemMask))
            {
                return ran;
            }
            if (Interlocked.CompareExchange(ref _cursor, cursor + 1, cursor) == cursor)
            {
                _work!.Run((int)next, worker);
                ran++;
            }
        }
    }

    void WorkerLoop(int worker)
    {
        int seen = 0;
        long idleSince = Stopwatch.GetTimestamp();
        while (!_stopping)
        {
            int generation = Volatile.Read(ref _generation);
            if (generation != seen)
            {
                seen = generation;
                int ran = Drain(worker);
                if (ran > 0)
                {
                    Interlocked.Add(ref _done, ran);
                }
                idleSince = Stopwatch.GetTimestamp();
                continue;
            }
            if (!_resting && Stopwatch.GetTimestamp() - idleSince < _spinTicks)
            {
                Thread.SpinWait(16);
                continue;
            }
            // Park; the re-check after announcing it closes the race with a job published meanwhile. The announcement
            // is a full fence: a plain store may become visible after the re-check's load (x86 reorders those), and then
            // a job published in between wakes nobody and runs on the caller alone.
            Interlocked.Exchange(ref _parked[worker - 1], 1);
            if (Volatile.Read(ref _generation) != seen || _stopping)
            {
                if (Interlocked.CompareExchange(ref _parked[worker - 1], 0, 1) == 1)
                {
                    continue;
                }
            }
            _wake[worker - 1].Wait();
            idleSince = Stopwatch.GetTimestamp();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        for (int i = 0; i < _threads.Length; i++)
        {
            if (Interlocked.Exchange(ref _parked[i], 0) == 1)
            {
                _wake[i].Release();
            }
        }
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        foreach (var wake in _wake)
        {
            wake.Dispose();
        }
    }
}
