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

    /// <summary>The frames.</summary>
    public required IReadOnlyList<ExportedSpan> Spans { get; init; }

    /// <summary>The stream entry's fields, in <see cref="SpanStream"/> order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToStreamFields() =>
    [
        new(SpanStream.NodeField, Node),
        new(SpanStream.ServiceField, Service),
        new(SpanStream.InstanceField, Instance),
        new(SpanStream.SeqField, Seq.ToString(CultureInfo.InvariantCulture)),
        new(SpanStream.SchemaField, Schema.ToString(CultureInfo.InvariantCulture)),
        new(SpanStream.DroppedField, Dropped.ToString(CultureInfo.InvariantCulture)),
        new(SpanStream.SpansField, JsonSerializer.Serialize(Spans, TracingJsonContext.Default.IReadOnlyListExportedSpan)),
    ];

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
