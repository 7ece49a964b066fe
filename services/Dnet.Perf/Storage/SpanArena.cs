namespace Dnet.Perf;

/// <summary>
/// Spans in arrival order, addressed by a sequence number that never changes while the span lives.
/// Chunked so that growing never copies a million structs and evicting the oldest frees whole chunks.
/// </summary>
internal sealed class SpanArena
{
    private const int ChunkBits = 14;
    private const int ChunkSize = 1 << ChunkBits;
    private const long OffsetMask = ChunkSize - 1;

    private readonly List<StoredSpan[]> chunks = [];
    private long firstChunkSeq;

    /// <summary>Sequence number of the oldest live span.</summary>
    public long Head { get; private set; }

    /// <summary>Sequence number the next appended span gets.</summary>
    public long Next { get; private set; }

    public long Count => Next - Head;

    public long Append(in StoredSpan span)
    {
        var offset = Next - firstChunkSeq;
        var chunk = (int)(offset >> ChunkBits);
        if (chunk == chunks.Count)
        {
            chunks.Add(new StoredSpan[ChunkSize]);
        }

        chunks[chunk][offset & OffsetMask] = span;
        return Next++;
    }

    public ref StoredSpan this[long seq]
    {
        get
        {
            var offset = seq - firstChunkSeq;
            return ref chunks[(int)(offset >> ChunkBits)][offset & OffsetMask];
        }
    }

    public void RemoveOldest()
    {
        Head++;
        if (Head - firstChunkSeq >= ChunkSize)
        {
            chunks.RemoveAt(0);
            firstChunkSeq += ChunkSize;
        }
    }
}
