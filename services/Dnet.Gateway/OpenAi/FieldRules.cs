using System.Text.Json;
using Dnet.ServiceDefaults.Http;

namespace Dnet.Gateway.OpenAi;

/// <summary>
/// What an endpoint does with each top-level field of its body: read it, accept and ignore it, accept only some
/// values, or refuse it with the reason. A field in no list is refused too (as OpenAI refuses unrecognized
/// arguments), so that a typo or a feature Dnet lacks is a 400 naming the field rather than silently ignored.
/// </summary>
internal sealed class FieldRules
{
    private readonly Dictionary<string, Func<JsonElement, string?>> _rules = new(StringComparer.Ordinal);

    public string Endpoint { get; }

    public FieldRules(string endpoint) => Endpoint = endpoint;

    /// <summary>Fields the reader parses and validates itself.</summary>
    public FieldRules Read(params string[] names) => Add(names, _ => null);

    /// <summary>Harmless metadata or hints: accepted, type-checked by <paramref name="kind"/>, and ignored.</summary>
    public FieldRules Ignore(JsonValueKind kind, params string[] names) =>
        Add(names, value => value.ValueKind == kind ? null : $"must be {JsonFields.Describe(kind)}");

    /// <summary>Fields Dnet does not implement: refused unless null.</summary>
    public FieldRules Refuse(string reason, params string[] names) => Add(names, _ => reason);

    /// <summary>A field accepted with the values <paramref name="accepts"/> allows and refused otherwise.</summary>
    public FieldRules Only(string name, Func<JsonElement, bool> accepts, string reason) =>
        Add([name], value => accepts(value) ? null : reason);

    /// <summary>Throws the 400 for the first field this endpoint does not take.</summary>
    public void Check(JsonElement body)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (!_rules.TryGetValue(property.Name, out var rule))
            {
                throw OpenAiException.BadRequest(
                    $"Unrecognized request argument supplied: '{property.Name}'. {Endpoint} takes the fields listed in the gateway README.",
                    property.Name, "unknown_parameter");
            }

            if (property.Value.ValueKind != JsonValueKind.Null && rule(property.Value) is { } reason)
            {
                throw OpenAiException.BadRequest($"'{property.Name}' {reason}.", property.Name, "unsupported_parameter");
            }
        }
    }

    private FieldRules Add(string[] names, Func<JsonElement, string?> rule)
    {
        foreach (var name in names)
        {
            _rules[name] = rule;
        }

        return this;
    }
}
