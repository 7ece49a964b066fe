namespace Dnet.Contracts.Tracing;

/// <summary>
/// The Redis stream every process writes its frames to: one entry per <see cref="SpanBatch"/>, with the fields named
/// here (all values are strings, as Redis stores them).
/// </summary>
public static class SpanStream
{
    /// <summary>The stream key.</summary>
    public const string Key = "dnet:spans";

    /// <summary>Field: node that emitted the batch (<c>gateway</c>, <c>shard-0</c>, ...).</summary>
    public const string NodeField = "node";

    /// <summary>Field: the emitting service (application name, e.g. <c>Dnet.Shard</c>).</summary>
    public const string ServiceField = "service";

    /// <summary>Field: id of the emitting process instance; <see cref="SeqField"/> restarts with a new instance.</summary>
    public const string InstanceField = "instance";

    /// <summary>
    /// Field: per-instance sequence number of the entries sent, from 1. Batches that could not be sent at all are not
    /// numbered (they are in <see cref="DroppedField"/>); a gap means an entry sent but never read: trimmed, or a write
    /// whose outcome was unknown (a timeout; its spans are counted as dropped too).
    /// </summary>
    public const string SeqField = "seq";

    /// <summary>Field: wire schema version (<see cref="SpanBatch.CurrentSchema"/>).</summary>
    public const string SchemaField = "schema";

    /// <summary>
    /// Field: spans this instance could not deliver so far (its queue or its buffer full, or left over at shutdown), not
    /// counting this batch.
    /// </summary>
    public const string DroppedField = "dropped";

    /// <summary>
    /// Field (optional): spans this instance's exporter had taken in when it sent the entry, cumulative, this entry's
    /// included. With <see cref="BufferedField"/> and <see cref="DroppedField"/> it lets a consumer account for every
    /// span: exported = written up to this entry + buffered + dropped.
    /// </summary>
    public const string ExportedField = "exported";

    /// <summary>
    /// Field (optional): spans this instance held, not yet written, behind this entry when it sent it (its queue and its
    /// outage buffer); they follow in later entries unless they are dropped.
    /// </summary>
    public const string BufferedField = "buffered";

    /// <summary>Field: JSON array of <see cref="ExportedSpan"/>.</summary>
    public const string SpansField = "spans";
}
