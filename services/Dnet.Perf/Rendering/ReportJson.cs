using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dnet.Perf;

/// <summary>JSON rendering shared by every report, so hosts and tests see one shape.</summary>
public static class ReportJson
{
    /// <summary>Serializer options: camelCase, indented, enums as camelCase strings, nulls written.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Serializes a report with <see cref="Options"/>.</summary>
    /// <typeparam name="T">Report type.</typeparam>
    /// <param name="report">The report.</param>
    public static string Serialize<T>(T report) => JsonSerializer.Serialize(report, Options);
}
