using System.Buffers;

namespace Dnet.Generation.Tokenization;

/// <summary>
/// Finds added tokens (e.g. "&lt;|im_end|&gt;") in text before BPE runs, longest match first. Scans with a
/// first-character search and a dictionary per candidate length rather than one huge regex alternation, because
/// a vocabulary padded with tens of thousands of reserved tokens would make such a regex slow to build and run.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly Dictionary<string, (int Id, bool Special)> _tokens;
    private readonly Dictionary<string, (int Id, bool Special)>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly SearchValues<char> _firstChars;
    private readonly int[] _lengthsLongestFirst;

    public AddedTokenMatcher(IEnumerable<(string Content, int Id, bool Special)> tokens)
    {
        _tokens = new Dictionary<string, (int, bool)>(StringComparer.Ordinal);
        foreach ((string content, int id, bool special) in tokens)
        {
            if (content.Length > 0)
            {
                _tokens[content] = (id, special);
            }
        }

        _lookup = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();
        _firstChars = SearchValues.Create([.. _tokens.Keys.Select(k => k[0]).Distinct()]);
        _lengthsLongestFirst = [.. _tokens.Keys.Select(k => k.Length).Distinct().OrderDescending()];
    }

    /// <summary>
    /// Splits text into runs of ordinary text (Id null) and added tokens. Special tokens are only recognised when
    /// <paramref name="includeSpecial"/> is true, and never where they would overlap one of <paramref name="plainText"/>
    /// (user content inside a chat template); otherwise they stay text and go through BPE like any other.
    /// </summary>
    public IEnumerable<(Range Text, int? Id)> Split(string text, bool includeSpecial, IReadOnlyList<Range>? plainText = null)
    {
        int textStart = 0;
        int position = 0;
        while (position < text.Length)
        {
            int offset = text.AsSpan(position).IndexOfAny(_firstChars);
            if (offset < 0)
            {
                break;
            }

            position += offset;
            (int Id, int Length)? hit = MatchAt(text, position, includeSpecial, plainText);
            if (hit is not { } match)
            {
                position++;
                continue;
            }

            if (position > textStart)
            {
                yield return (new Range(textStart, position), null);
            }

            yield return (new Range(position, position + match.Length), match.Id);
            position += match.Length;
            textStart = position;
        }

        if (textStart < text.Length)
        {
            yield return (new Range(textStart, text.Length), null);
        }
    }

    private (int Id, int Length)? MatchAt(string text, int position, bool includeSpecial, IReadOnlyList<Range>? plainText)
    {
        foreach (int length in _lengthsLongestFirst)
        {
            if (position + length <= text.Length
                && _lookup.TryGetValue(text.AsSpan(position, length), out (int Id, bool Special) token)
                && (!token.Special || (includeSpecial && !Overlaps(text.Length, position, length, plainText))))
            {
                return (token.Id, length);
            }
        }

        return null;
    }

    private static bool Overlaps(int textLength, int start, int length, IReadOnlyList<Range>? ranges)
    {
        if (ranges is null)
        {
            return false;
        }

        foreach (Range range in ranges)
        {
            (int rangeStart, int rangeLength) = range.GetOffsetAndLength(textLength);
            if (start < rangeStart + rangeLength && rangeStart < start + length)
            {
                return true;
            }
        }

        return false;
    }
}
