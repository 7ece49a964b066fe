namespace Dnet.Inference.Kernels;

/// <summary>
/// Runs a per-row step over the rows of a batch on the worker group, in blocks of rows; a batch of a few rows
/// (decode) runs on the caller, where a dispatch would cost more than the work.
/// </summary>
sealed class RowJob(WorkerGroup group) : IParallelWork
{
    const int RowsPerItem = 4;

    Action<int> _body = _ => { };
    int _rows;

    public void Run(int rows, Action<int> body)
    {
        if (rows < 2 * RowsPerItem || group.Threads == 1)
        {
            for (int r = 0; r < rows; r++)
            {
                body(r);
            }
            return;
        }
        _body = body;
        _rows = rows;
        group.Run(this, (rows + RowsPerItem - 1) / RowsPerItem);
    }

    void IParallelWork.Run(int item, int worker)
    {
        int end = Math.Min(_rows, (item + 1) * RowsPerItem);
        for (int r = item * RowsPerItem; r < end; r++)
        {
            _body(r);
        }
    }
}
