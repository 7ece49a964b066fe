using System.Text;

namespace Dnet.Generation.Tokenization;

/// <summary>When a SentencePiece-style tokenizer puts '▁' in front of a run of text (the "dummy prefix").</summary>
internal enum DummyPrefix
{
    /// <summary>Never (Metaspace prepend_scheme "never").</summary>
    Never,

    /// <summary>Only before the text at the very start of the input, unless it starts with a space (Metaspace "first").</summary>
    FirstSection,

    /// <summary>Before every run between added tokens, unless it starts with a space (Metaspace "always").</summary>
    EverySection,

    /// <summary>Before every non-empty run between added tokens, even one that starts with a space (normalizer Prepend: the Llama 2 / Mistral v0.1 layout).</summary>
    EverySectionUnconditionally,
}

/// <summary>
/// How a SentencePiece-style tokenizer.json spells text for its BPE and back: spaces become '▁', a dummy prefix '▁'
/// may be prepended, Metaspace may split before each '▁', and decoding turns '▁' into spaces, &lt;0xNN&gt; tokens into
/// bytes, and strips the leading space(s) of the decoded text.
/// </summary>
/// <param name="Prefix">Where '▁' is prepended.</param>
/// <param name="SplitAtMetaspace">Metaspace split: every '▁' starts a new word, so no merge crosses it.</param>
/// <param name="NormalizeNfc">An NFC normalizer comes first.</param>
/// <param name="DecodeByteTokens">The decoder has ByteFallback: &lt;0xNN&gt; tokens decode to their byte, not to their text.</param>
/// <param name="StripLeadingSpaces">Leading spaces the decoder removes from the whole decoded text (Strip start, or Metaspace's one).</param>
internal sealed record SentencePieceLayout(
    DummyPrefix Prefix, bool SplitAtMetaspace, bool NormalizeNfc, bool DecodeByteTokens, int StripLeadingSpaces)
{
    public const char Metaspace = '\u2581';

    /// <summary>
    /// Spells one run of ordinary text (between added tokens) for BPE and returns its words.
    /// <paramref name="atInputStart"/> says whether the run begins the whole input (Metaspace "first").
    /// </summary>
    public List<string> Words(string text, bool atInputStart)
    {
        if (NormalizeNfc)
        {
            text = text.Normalize(NormalizationForm.FormC);
        }

        if (text.Length == 0)
        {
            return [];
        }

        bool startsWithSpace = text[0] == ' ';
        bool prepend = Prefix switch
        {
            DummyPrefix.EverySectionUnconditionally => true,
            DummyPrefix.EverySection => !startsWithSpace,
            DummyPrefix.FirstSection => atInputStart && !startsWithSpace,
            _ => false,
        };
        string spelled = (prepend ? Metaspace.ToString() : "") + text.Replace(' ', Metaspace);
        if (!SplitAtMetaspace)
        {
            return [spelled];
        }

        // MergedWithNext: each '▁' opens a word ("a▁▁b" is "a", "▁", "▁b").
        var words = new List<string>();
        int start = 0;
        for (int i = 1; i < spelled.Length; i++)
        {
            if (spelled[i] == Metaspace)
            {
                words.Add(spelled[start..i]);
                start = i;
            }
        }

        words.Add(spelled[start..]);
        return words;
    }

    /// <summary>
    /// The bytes one vocabulary token decodes to: &lt;0xNN&gt; is the byte NN (byte fallback), otherwise its text with
    /// '▁' read as a space.
    /// </summary>
    public byte[] TokenBytes(string token)
    {
        if (DecodeByteTokens && token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out byte value))
        {
            return [value];
        }

        return Encoding.UTF8.GetBytes(token.Replace(Metaspace, ' '));
    }
}
