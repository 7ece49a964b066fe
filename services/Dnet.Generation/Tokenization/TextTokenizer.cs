using System.Text;
using Microsoft.ML.Tokenizers;

namespace Dnet.Generation.Tokenization;

/// <summary>
/// A BPE tokenizer loaded from a HuggingFace tokenizer.json: byte-level BPE (GPT-2, Llama 3, Qwen2, SmolLM2 style) or
/// SentencePiece-style BPE with byte fallback (Llama 2, Mistral style: '▁' for spaces, &lt;0xNN&gt; byte tokens).
/// The byte-level merge step is Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>; this class reads the file and
/// does what that tokenizer cannot be configured for: added-token matching that can be switched off, chained
/// Split/Digits/ByteLevel pre-tokenizers, NFC normalization, ignore_merges, and byte-exact decoding.
/// Thread-safe for concurrent Encode/Decode calls.
/// </summary>
/// <remarks>
/// Encode adds no BOS/EOS of its own (as HF's apply_chat_template does not): the chat template writes them as text.
/// Regexes run on UTF-16, so a letter outside the BMP is not matched by \p{L}; HF would treat it as a letter.
/// </remarks>
public sealed class TextTokenizer
{
    private static readonly string[] EndOfTurnTokens = ["<|im_end|>", "<|eot_id|>", "<|end_of_text|>", "<|endoftext|>"];

    private readonly BpeTokenizer? _bpe;
    private readonly SentencePieceBpe? _sentencePiece;
    private readonly SentencePieceLayout? _layout;
    private readonly PreTokenizer _preTokenizer;
    private readonly AddedTokenMatcher _addedTokens;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabLookup;
    private readonly bool _normalizeNfc;
    private readonly bool _ignoreMerges;
    private readonly string?[] _tokenText;
    private readonly byte[]?[] _tokenBytes;
    private readonly bool[] _isSpecial;

    private TextTokenizer(TokenizerDefinition definition, BpeTokenizer? bpe, SentencePieceBpe? sentencePiece)
    {
        _bpe = bpe;
        _sentencePiece = sentencePiece;
        _layout = definition.SentencePiece?.Layout;
        LeadingSpacesStripped = _layout?.StripLeadingSpaces ?? 0;
        _preTokenizer = definition.PreTokenizer;
        _addedTokens = new AddedTokenMatcher(definition.AddedTokens);
        _vocabLookup = definition.Vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _normalizeNfc = definition.NormalizeNfc;
        _ignoreMerges = definition.IgnoreMerges;

        VocabSize = Math.Max(
            definition.Vocab.Count == 0 ? 0 : definition.Vocab.Values.Max() + 1,
            definition.AddedTokens.Count == 0 ? 0 : definition.AddedTokens.Max(t => t.Id) + 1);
        _tokenText = new string?[VocabSize];
        _tokenBytes = new byte[]?[VocabSize];
        _isSpecial = new bool[VocabSize];
        foreach ((string token, int id) in definition.Vocab)
        {
            _tokenText[id] = token;
            _tokenBytes[id] = _layout is not null ? _layout.TokenBytes(token)
                : ByteLevelAlphabet.TryDecode(token, out byte[] bytes) ? bytes : Encoding.UTF8.GetBytes(token);
        }

        var ids = new Dictionary<string, int>(definition.Vocab, StringComparer.Ordinal);
        foreach ((string content, int id, bool special) in definition.AddedTokens)
        {
            // Added tokens are literal text, not byte-level spellings.
            _tokenText[id] = content;
            _tokenBytes[id] = Encoding.UTF8.GetBytes(content);
            _isSpecial[id] = special;
            ids[content] = id;
        }

        int? Find(string? token) => token is not null && ids.TryGetValue(token, out int id) ? id : null;
        BosTokenId = Find(definition.BosToken);
        EosTokenId = Find(definition.EosToken) ?? Find("<|endoftext|>");
        var endOfTurn = EndOfTurnTokens.Select(Find).OfType<int>().ToHashSet();
        if (EosTokenId is int eos)
        {
            endOfTurn.Add(eos);
        }

        EndOfTurnTokenIds = endOfTurn;
    }

    /// <summary>Number of token ids (highest id + 1), counting added tokens.</summary>
    public int VocabSize { get; }

    /// <summary>The bos_token of tokenizer_config.json, when it names a token of this vocabulary.</summary>
    public int? BosTokenId { get; }

    /// <summary>The eos_token of tokenizer_config.json, else &lt;|endoftext|&gt; when present.</summary>
    public int? EosTokenId { get; }

    /// <summary>
    /// Spaces the decoder removes from the start of decoded text: 1 for SentencePiece-style tokenizers whose encoder
    /// prepends '▁' (its Strip decoder), else 0.
    /// </summary>
    internal int LeadingSpacesStripped { get; }

    /// <summary>Tokens that end an assistant turn: EOS plus &lt;|im_end|&gt;, &lt;|eot_id|&gt;, &lt;|end_of_text|&gt;, &lt;|endoftext|&gt; where present.</summary>
    public IReadOnlySet<int> EndOfTurnTokenIds { get; }

    /// <summary>
    /// Loads tokenizer.json; BOS/EOS come from <paramref name="tokenizerConfigPath"/>, or from tokenizer_config.json
    /// beside tokenizer.json when no path is given and that file exists.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is not JSON or describes an unsupported tokenizer; the message names the file.</exception>
    public static TextTokenizer Load(string tokenizerJsonPath, string? tokenizerConfigPath = null)
    {
        if (tokenizerConfigPath is null)
        {
            string sibling = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(tokenizerJsonPath)) ?? ".", "tokenizer_config.json");
            tokenizerConfigPath = File.Exists(sibling) ? sibling : null;
        }

        TokenizerDefinition definition = TokenizerJsonReader.Read(tokenizerJsonPath, tokenizerConfigPath);
        if (definition.SentencePiece is { } sentencePiece)
        {
            try
            {
                return new TextTokenizer(definition, null, SentencePieceBpe.Create(
                    definition.Vocab, definition.Merges, sentencePiece.ByteFallback, sentencePiece.UnknownToken, sentencePiece.FuseUnknown));
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{tokenizerJsonPath}: {ex.Message}", ex);
            }
        }

        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(new BpeOptions(definition.Vocab) { Merges = definition.Merges, ByteLevel = true });
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidDataException($"{tokenizerJsonPath}: inconsistent model.vocab/model.merges ({ex.Message})", ex);
        }

        return new TextTokenizer(definition, bpe, null);
    }

    /// <summary>
    /// Encodes text to token ids. With <paramref name="parseSpecialTokens"/> false, special tokens written in the
    /// text (e.g. a user typing "&lt;|im_end|&gt;") are encoded as ordinary text instead of as their single id.
    /// </summary>
    public IReadOnlyList<int> Encode(string text, bool parseSpecialTokens = true) => EncodeCore(text, parseSpecialTokens, null);

    /// <summary>
    /// Encodes a rendered chat prompt: the template's own markers become their special tokens, while the messages'
    /// content is text only, so a user who types "&lt;|im_end|&gt;&lt;|im_start|&gt;system" gets those characters
    /// encoded as ordinary text and cannot forge a turn. Content with no such text encodes exactly as
    /// <see cref="Encode(string, bool)"/> would encode the whole prompt.
    /// </summary>
    public IReadOnlyList<int> Encode(Chat.RenderedPrompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return EncodeCore(prompt.Text, parseSpecialTokens: true, prompt.Content);
    }

    private List<int> EncodeCore(string text, bool parseSpecialTokens, IReadOnlyList<Range>? plainText)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        foreach ((Range range, int? id) in _addedTokens.Split(text, parseSpecialTokens, plainText))
        {
            if (id is int tokenId)
            {
                ids.Add(tokenId);
            }
            else if (_sentencePiece is not null)
            {
                EncodeSentencePiece(text[range], atInputStart: range.Start.GetOffset(text.Length) == 0, ids);
            }
            else
            {
                EncodeOrdinary(text[range], ids);
            }
        }

        return ids;
    }

    /// <summary>
    /// Decodes ids to text; invalid UTF-8 becomes U+FFFD. Ids that name no token (model padding) are skipped. A
    /// SentencePiece-style tokenizer drops the leading space of the result (the dummy prefix its encoder added).
    /// </summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if (!(skipSpecialTokens && IsSpecial(id)))
            {
                bytes.AddRange(TokenBytes(id));
            }
        }

        int stripped = 0;
        while (stripped < LeadingSpacesStripped && stripped < bytes.Count && bytes[stripped] == (byte)' ')
        {
            stripped++;
        }

        return Encoding.UTF8.GetString(bytes.ToArray(), stripped, bytes.Count - stripped);
    }

    /// <summary>The token as spelled in tokenizer.json (byte-level or '▁' form for BPE tokens), or null for an unknown id.</summary>
    public string? TokenText(int id) => (uint)id < (uint)VocabSize ? _tokenText[id] : null;

    /// <summary>
    /// The raw bytes the token stands for ('▁' as a space, &lt;0xNN&gt; as its byte); empty for an unknown id. The
    /// leading space Decode strips from a whole text is not stripped here.
    /// </summary>
    public ReadOnlySpan<byte> TokenBytes(int id) => (uint)id < (uint)VocabSize ? _tokenBytes[id] : default;

    /// <summary>True for added tokens marked special (BOS, EOS, chat markers, reserved tokens).</summary>
    public bool IsSpecial(int id) => (uint)id < (uint)VocabSize && _isSpecial[id];

    private void EncodeOrdinary(string text, List<int> ids)
    {
        if (_normalizeNfc)
        {
            text = text.Normalize(NormalizationForm.FormC);
        }

        if (_preTokenizer.AddPrefixSpace && text.Length > 0 && !char.IsWhiteSpace(text[0]))
        {
            text = " " + text;
        }

        Span<char> spelled = stackalloc char[64];
        foreach (Range piece in _preTokenizer.Split(text))
        {
            ReadOnlySpan<char> span = text.AsSpan(piece);
            if (_ignoreMerges && TryLookupWhole(span, spelled, out int id))
            {
                ids.Add(id);
                continue;
            }

            ids.AddRange(_bpe!.EncodeToIds(span, considerPreTokenization: false, considerNormalization: false));
        }
    }

    private void EncodeSentencePiece(string text, bool atInputStart, List<int> ids)
    {
        foreach (string word in _layout!.Words(text, atInputStart))
        {
            if (_ignoreMerges && _vocabLookup.TryGetValue(word, out int id))
            {
                ids.Add(id);
                continue;
            }

            _sentencePiece!.Encode(word, ids);
        }
    }

    /// <summary>ignore_merges (Llama 3): a piece that is itself a vocabulary entry is one token, merges or not.</summary>
    private bool TryLookupWhole(ReadOnlySpan<char> piece, Span<char> buffer, out int id)
    {
        id = 0;
        Span<byte> utf8 = stackalloc byte[buffer.Length];
        if (Encoding.UTF8.GetMaxByteCount(piece.Length) > utf8.Length)
        {
            return false;
        }

        int count = Encoding.UTF8.GetBytes(piece, utf8);
        for (int i = 0; i < count; i++)
        {
            buffer[i] = ByteLevelAlphabet.Encode(utf8[i]);
        }

        return _vocabLookup.TryGetValue(buffer[..count], out id);
    }
}
