using System.Text.Json.Serialization;

namespace Dnet.Gateway.OpenAi;

// The response objects of the legacy Completions API; a streamed chunk is the same object with a piece of text.

internal sealed record TextCompletion(
    string Id, long Created, string Model, IReadOnlyList<TextChoice> Choices,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Usage? Usage)
{
    public string Object => "text_completion";

    public string? SystemFingerprint => null;
}

internal sealed record TextChoice(int Index, string Text, LegacyLogprobs? Logprobs, string? FinishReason);

/// <summary>The legacy logprobs object: parallel arrays, alternatives as token → logprob maps.</summary>
internal sealed record LegacyLogprobs(
    IReadOnlyList<string> Tokens,
    IReadOnlyList<float> TokenLogprobs,
    IReadOnlyList<IReadOnlyDictionary<string, float>> TopLogprobs,
    IReadOnlyList<int> TextOffset)
{
    /// <summary>From the per-token entries, with text offsets counted from <paramref name="offset"/>.</summary>
    public static LegacyLogprobs From(IReadOnlyList<TokenLogprobEntry> entries, int offset)
    {
        var offsets = new List<int>(entries.Count);
        foreach (var entry in entries)
        {
            offsets.Add(offset);
            offset += entry.Token.Length;
        }

        return new LegacyLogprobs(
            [.. entries.Select(e => e.Token)],
            [.. entries.Select(e => e.Logprob)],
            [.. entries.Select(e => (IReadOnlyDictionary<string, float>)e.TopLogprobs
                .GroupBy(t => t.Token, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Max(t => t.Logprob), StringComparer.Ordinal))],
            offsets);
    }
}
