namespace Dnet.Inference.Kernels;

/// <summary>
/// Runs a per-row step over the rows of a batch on the worker group, in blocks of rows; a batch of a few rows
/// (decode) runs on the caller, where a dispatch would cost more than the work.
/// </summary>
sealed class RowJob(WorkerGroup group) : IParallelWork
{
    const int RowsPerItem = 4;

    Action<int>? _body;
    Action<int, int>? _bodyOnWorker;
    int _rows;

    public void Run(int rows, Action<int> body)
    {
        _body = body;
        _bodyOnWorker = null;
        Run(rows);
    }

    /// <summary>The same, for a step that needs the running thread's index (per-thread scratch).</summary>
    public void Run(int rows, Action<int, int> body)
    {
        _body = null;
        _bodyOnWorker = body;
        Run(rows);
    }

    void Run(int rows)
    {
        _rows = rows;
        if (rows < 2 * RowsPerItem || group.Threads == 1)
        {
            RunRows(0, rows, worker: 0);
            return;
        }
        group.Run(this, (rows + RowsPerItem - 1) / RowsPerItem);
    }

    void IParallelWork.Run(int item, int worker) =>
        RunRows(item * RowsPerItem, Math.Min(_rows, (item + 1) * RowsPerItem), worker);

    void RunRows(int first, int end, int worker)
    {
        if (_body is { } body)
        {
            for (int r = first; r < end; r++)
            {
                body(r);
            }
            return;
        }
        for (int r = first; r < end; r++)
        {
            _bodyOnWorker!(r, worker);
        }
    }
}
