using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dnet.Perf;

/// <summary>
/// JSON rendering shared by every report, so hosts and tests see one shape: the policy of every public Dnet HTTP API
/// (snake_case_lower names, as OpenAI; Dnet.ServiceDefaults applies the same to the services' minimal APIs).
/// </summary>
public static class ReportJson
{
    /// <summary>Serializer options: snake_case_lower names, indented, enums as snake_case strings, nulls written.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Serializes a report with <see cref="Options"/>.</summary>
    /// <typeparam name="T">Report type.</typeparam>
    /// <param name="report">The report.</param>
    public static string Serialize<T>(T report) => JsonSerializer.Serialize(report, Options);
}
