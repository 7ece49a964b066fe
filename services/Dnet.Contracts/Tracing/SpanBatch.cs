using System.Globalization;
using System.Text.Json;

namespace Dnet.Contracts.Tracing;

/// <summary>
/// One entry of the <see cref="SpanStream"/>: the frames one process delivered in one write, and how many it lost so
/// far. <see cref="ToStreamFields"/> and <see cref="FromStreamFields"/> are the only (de)serializers of the entry, so
/// the producer and the analytics consumer agree by construction.
/// </summary>
public sealed record SpanBatch
{
    /// <summary>The schema version this code writes.</summary>
    public const int CurrentSchema = 1;

    /// <summary>Node that emitted the batch.</summary>
    public required string Node { get; init; }

    /// <summary>Emitting service (application name).</summary>
    public required string Service { get; init; }

    /// <summary>Id of the emitting process instance.</summary>
    public required string Instance { get; init; }

    /// <summary>Per-instance sequence number of the entries sent, from 1 (see <see cref="SpanStream.SeqField"/>).</summary>
    public required long Seq { get; init; }

    /// <summary>Wire schema version.</summary>
    public int Schema { get; init; } = CurrentSchema;

    /// <summary>Spans this instance could not deliver before this batch (cumulative).</summary>
    public required long Dropped { get; init; }

    /// <summary>
    /// Spans the instance's exporter had taken in when it sent this batch (cumulative, this batch's included); <c>null</c>
    /// from a producer that does not report it.
    /// </summary>
    public long? Exported { get; init; }

    /// <summary>Spans the instance held unwritten behind this batch when it sent it; <c>null</c> when not reported.</summary>
    public long? Buffered { get; init; }

    /// <summary>The frames.</summary>
    public required IReadOnlyList<ExportedSpan> Spans { get; init; }

    /// <summary>The stream entry's fields, in <see cref="SpanStream"/> order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToStreamFields() =>
    [
        .. Header(Node, Service, Instance, Seq, Schema, Dropped, Exported, Buffered),
        new(SpanStream.SpansField, JsonSerializer.Serialize(Spans, TracingJsonContext.Default.IReadOnlyListExportedSpan)),
    ];

    /// <summary>
    /// Every field of an entry but <see cref="SpanStream.SpansField"/>, in <see cref="SpanStream"/> order, for a producer
    /// that encoded its spans ahead with <see cref="EncodeSpans"/> (it holds them until Redis takes them, and stamps the
    /// counters only when it sends). Optional counters that are <c>null</c> are left out.
    /// </summary>
    /// <param name="node">Emitting node.</param>
    /// <param name="service">Emitting service.</param>
    /// <param name="instance">Emitting process instance.</param>
    /// <param name="seq">Per-instance sequence number.</param>
    /// <param name="dropped">Cumulative dropped spans.</param>
    /// <param name="exported">Cumulative spans taken in, or <c>null</c>.</param>
    /// <param name="buffered">Spans held behind this entry, or <c>null</c>.</param>
    public static IReadOnlyList<KeyValuePair<string, string>> HeaderFields(
        string node, string service, string instance, long seq, long dropped, long? exported, long? buffered) =>
        Header(node, service, instance, seq, CurrentSchema, dropped, exported, buffered);

    /// <summary>The <see cref="SpanStream.SpansField"/> value of <paramref name="spans"/>, as UTF-8 JSON.</summary>
    /// <param name="spans">The frames of one batch.</param>
    public static byte[] EncodeSpans(IReadOnlyList<ExportedSpan> spans) =>
        JsonSerializer.SerializeToUtf8Bytes(spans, TracingJsonContext.Default.IReadOnlyListExportedSpan);

    private static List<KeyValuePair<string, string>> Header(
        string node, string service, string instance, long seq, int schema, long dropped, long? exported, long? buffered)
    {
        var fields = new List<KeyValuePair<string, string>>(8)
        {
            new(SpanStream.NodeField, node),
            new(SpanStream.ServiceField, service),
            new(SpanStream.InstanceField, instance),
            new(SpanStream.SeqField, seq.ToString(CultureInfo.InvariantCulture)),
            new(SpanStream.SchemaField, schema.ToString(CultureInfo.InvariantCulture)),
            new(SpanStream.DroppedField, dropped.ToString(CultureInfo.InvariantCulture)),
        };
        if (exported is { } taken)
        {
            fields.Add(new(SpanStream.ExportedField, taken.ToString(CultureInfo.InvariantCulture)));
        }

        if (buffered is { } held)
        {
            fields.Add(new(SpanStream.BufferedField, held.ToString(CultureInfo.InvariantCulture)));
        }

        return fields;
    }

    /// <summary>Reads a stream entry written by <see cref="ToStreamFields"/>.</summary>
    /// <param name="fields">The entry's field/value pairs.</param>
    /// <exception cref="FormatException">A field is missing or malformed, or the schema is newer than this code.</exception>
    public static SpanBatch FromStreamFields(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        var schema = (int)Number(values, SpanStream.SchemaField);
        if (schema > CurrentSchema)
        {
            throw new FormatException($"span batch schema {schema} is newer than {CurrentSchema}");
        }

        List<ExportedSpan>? spans;
        try
        {
            spans = JsonSerializer.Deserialize(Field(values, SpanStream.SpansField), TracingJsonContext.Default.ListExportedSpan);
        }
        catch (JsonException exception)
        {
            throw new FormatException($"span batch field '{SpanStream.SpansField}' is not a JSON span array", exception);
        }

        return new SpanBatch
        {
            Node = Field(values, SpanStream.NodeField),
            Service = Field(values, SpanStream.ServiceField),
            Instance = Field(values, SpanStream.InstanceField),
            Seq = Number(values, SpanStream.SeqField),
            Schema = schema,
            Dropped = Number(values, SpanStream.DroppedField),
            Exported = values.ContainsKey(SpanStream.ExportedField) ? Number(values, SpanStream.ExportedField) : null,
            Buffered = values.ContainsKey(SpanStream.BufferedField) ? Number(values, SpanStream.BufferedField) : null,
            Spans = spans ?? [],
        };
    }

    private static string Field(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var value) ? value : throw new FormatException($"span batch has no '{name}' field");

    private static long Number(Dictionary<string, string> values, string name) =>
        long.TryParse(Field(values, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"span batch field '{name}' is not an integer");
}
