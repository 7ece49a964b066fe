using System.Text.Json.Serialization;

namespace Dnet.Contracts.Tracing;

/// <summary>
/// Source-generated JSON for the tracing wire types (snake_case names). Attribute values of <see cref="ExportedSpan"/>
/// may be strings, integers, doubles, booleans or arrays of those.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IReadOnlyList<ExportedSpan>))]
[JsonSerializable(typeof(List<ExportedSpan>))]
[JsonSerializable(typeof(TraceControlState))]
[JsonSerializable(typeof(TraceControlMessage))]
[JsonSerializable(typeof(TraceStatus))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(long[]))]
[JsonSerializable(typeof(double[]))]
[JsonSerializable(typeof(bool[]))]
public sealed partial class TracingJsonContext : JsonSerializerContext;
