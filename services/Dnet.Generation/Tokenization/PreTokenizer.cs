using System.Text.RegularExpressions;

namespace Dnet.Generation.Tokenization;

/// <summary>
/// The supported part of HuggingFace's pre_tokenizer: a sequence of regex splits whose matches become pieces of
/// their own ("Isolated"), the way Split, Digits and ByteLevel(use_regex) cut text before BPE.
/// </summary>
internal sealed class PreTokenizer
{
    /// <summary>GPT-2's pattern, used by ByteLevel when use_regex is true.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly Regex[] _splits;

    public PreTokenizer(IEnumerable<Regex> splits, bool addPrefixSpace)
    {
        _splits = [.. splits];
        AddPrefixSpace = addPrefixSpace;
    }

    /// <summary>ByteLevel's add_prefix_space: a leading space is added so the first word looks like the others.</summary>
    public bool AddPrefixSpace { get; }

    public static Regex CreateRegex(string pattern) =>
        new(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>Cuts <paramref name="text"/> into (start, length) pieces; BPE never merges across a piece boundary.</summary>
    public List<Range> Split(string text)
    {
        var pieces = new List<Range> { new(0, text.Length) };
        foreach (Regex regex in _splits)
        {
            var next = new List<Range>(pieces.Count * 2);
            foreach (Range piece in pieces)
            {
                (int start, int length) = piece.GetOffsetAndLength(text.Length);
                int cursor = start;
                foreach (ValueMatch match in regex.EnumerateMatches(text.AsSpan(start, length)))
                {
                    if (match.Length == 0)
                    {
                        continue;
                    }

                    int matchStart = start + match.Index;
                    if (matchStart > cursor)
                    {
                        next.Add(new Range(cursor, matchStart));
                    }

                    next.Add(new Range(matchStart, matchStart + match.Length));
                    cursor = matchStart + match.Length;
                }

                if (cursor < start + length)
                {
                    next.Add(new Range(cursor, start + length));
                }
            }

            pieces = next;
        }

        return pieces;
    }
}
