using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dnet.ServiceDefaults.Http;

/// <summary>
/// The JSON policy of every public Dnet HTTP API: snake_case_lower names (as the OpenAI API), enums as snake_case
/// strings, nulls written, non-ASCII text unescaped. <see cref="Microsoft.Extensions.Hosting.Extensions.AddServiceDefaults{TBuilder}"/> applies it to the minimal-API JSON
/// options, so an endpoint returning <c>Results.Json(value)</c> or a typed result speaks it without saying so.
/// </summary>
public static class PublicJson
{
    /// <summary>Content type of error bodies.</summary>
    public const string ErrorContentType = "application/json; charset=utf-8";

    /// <summary>The serializer options (read-only once first used).</summary>
    public static JsonSerializerOptions Options { get; } = Apply(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Sets the policy on <paramref name="options"/> (naming, enum converter) and returns them.</summary>
    /// <param name="options">Options to change, e.g. the minimal-API ones.</param>
    public static JsonSerializerOptions Apply(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        // Bodies are application/json, never inlined in HTML: write text as OpenAI does ("don't", "é"), not "don\u0027t".
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        return options;
    }
}
