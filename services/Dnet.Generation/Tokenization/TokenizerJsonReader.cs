using System.Text.Json;
using System.Text.RegularExpressions;

namespace Dnet.Generation.Tokenization;

/// <summary>What TextTokenizer needs from tokenizer.json and tokenizer_config.json.</summary>
internal sealed record TokenizerDefinition(
    Dictionary<string, int> Vocab,
    List<string> Merges,
    List<(string Content, int Id, bool Special)> AddedTokens,
    PreTokenizer PreTokenizer,
    bool NormalizeNfc,
    bool IgnoreMerges,
    string? BosToken,
    string? EosToken)
{
    /// <summary>Set for SentencePiece-style BPE (Llama 2, Mistral); null for byte-level BPE.</summary>
    public SentencePieceModel? SentencePiece { get; init; }
}

/// <summary>The SentencePiece-style parts of a tokenizer.json: its spelling rules and model.byte_fallback/unk_token/fuse_unk.</summary>
internal sealed record SentencePieceModel(SentencePieceLayout Layout, bool ByteFallback, string? UnknownToken, bool FuseUnknown);

/// <summary>
/// Reads the BPE subset of HuggingFace's tokenizer.json: byte-level BPE (GPT-2, Llama 3, Qwen2, SmolLM2) and
/// SentencePiece-style BPE with byte fallback (Llama 2, Mistral; see <see cref="SentencePieceJsonReader"/>).
/// Anything outside that subset is rejected with a message naming the file and the field, rather than producing
/// wrong token ids.
/// </summary>
internal static class TokenizerJsonReader
{
    public static TokenizerDefinition Read(string tokenizerJsonPath, string? tokenizerConfigPath)
    {
        try
        {
            return ReadFiles(tokenizerJsonPath, tokenizerConfigPath);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // A field of the wrong JSON type or a missing nested field.
            throw new InvalidDataException($"{tokenizerJsonPath}: unexpected structure ({ex.Message})", ex);
        }
    }

    private static TokenizerDefinition ReadFiles(string tokenizerJsonPath, string? tokenizerConfigPath)
    {
        using JsonDocument document = Parse(tokenizerJsonPath);
        JsonElement root = document.RootElement;
        var error = (string what) => new InvalidDataException($"{tokenizerJsonPath}: {what}");

        if (!root.TryGetProperty("model", out JsonElement model) || model.ValueKind != JsonValueKind.Object)
        {
            throw error("no 'model' object; this is not a HuggingFace tokenizer.json");
        }

        string modelType = model.TryGetProperty("type", out JsonElement type) ? type.GetString() ?? "" : "BPE";
        if (modelType != "BPE")
        {
            throw error($"model type '{modelType}' is not supported; only BPE (byte-level, or SentencePiece-style with byte_fallback) is");
        }

        if (!string.IsNullOrEmpty(OptionalString(model, "continuing_subword_prefix"))
            || !string.IsNullOrEmpty(OptionalString(model, "end_of_word_suffix")))
        {
            throw error("BPE with subword affixes (continuing_subword_prefix, end_of_word_suffix) is not supported");
        }

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!model.TryGetProperty("vocab", out JsonElement vocabElement) || vocabElement.ValueKind != JsonValueKind.Object)
        {
            throw error("model.vocab is missing or not an object");
        }

        foreach (JsonProperty entry in vocabElement.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
            {
                throw error($"model.vocab entry '{entry.Name}' has no valid id");
            }

            vocab[entry.Name] = id;
        }

        var merges = new List<string>();
        if (model.TryGetProperty("merges", out JsonElement mergesElement) && mergesElement.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement merge in mergesElement.EnumerateArray())
            {
                merges.Add(ReadMerge(merge) ?? throw error($"model.merges entry {merge.GetRawText()} is neither \"a b\" nor [\"a\", \"b\"]"));
            }
        }

        var added = new List<(string, int, bool)>();
        if (root.TryGetProperty("added_tokens", out JsonElement addedElement) && addedElement.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement token in addedElement.EnumerateArray())
            {
                string content = OptionalString(token, "content") ?? throw error("an added_tokens entry has no content");
                int id = token.TryGetProperty("id", out JsonElement idElement) && idElement.TryGetInt32(out int value)
                    ? value
                    : throw error($"added token '{content}' has no id");
                added.Add((content, id, IsTrue(token, "special")));
            }
        }

        (string? bos, string? eos) = ReadConfig(tokenizerConfigPath);
        if (SentencePieceJsonReader.Applies(root, model))
        {
            var sentencePiece = new SentencePieceModel(SentencePieceJsonReader.Read(root, error), IsTrue(model, "byte_fallback"),
                OptionalString(model, "unk_token"), IsTrue(model, "fuse_unk"));
            return new TokenizerDefinition(vocab, merges, added, new PreTokenizer([], addPrefixSpace: false), sentencePiece.Layout.NormalizeNfc,
                IsTrue(model, "ignore_merges"), bos, eos)
            { SentencePiece = sentencePiece };
        }

        var splits = new List<Regex>();
        bool addPrefixSpace = false;
        bool byteLevel = false;
        if (root.TryGetProperty("pre_tokenizer", out JsonElement pre))
        {
            ReadPreTokenizer(pre, splits, ref addPrefixSpace, ref byteLevel, error);
        }

        if (root.TryGetProperty("decoder", out JsonElement decoder) && decoder.ValueKind == JsonValueKind.Object)
        {
            byteLevel |= OptionalString(decoder, "type") == "ByteLevel";
        }

        if (!byteLevel)
        {
            throw error("neither pre_tokenizer nor decoder is ByteLevel, and it is not SentencePiece-style (byte_fallback, Metaspace); only these two kinds of BPE are supported");
        }

        bool nfc = root.TryGetProperty("normalizer", out JsonElement normalizer) && ReadNormalizer(normalizer, error);
        return new TokenizerDefinition(vocab, merges, added, new PreTokenizer(splits, addPrefixSpace), nfc,
            IsTrue(model, "ignore_merges"), bos, eos);
    }

    private static JsonDocument Parse(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found", path);
        }

        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({ex.Message})", ex);
        }
    }

    private static string? ReadMerge(JsonElement merge)
    {
        if (merge.ValueKind == JsonValueKind.String)
        {
            string? text = merge.GetString();
            int space = text?.IndexOf(' ') ?? -1;
            return space > 0 && space < text!.Length - 1 && text.IndexOf(' ', space + 1) < 0 ? text : null;
        }

        if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2)
        {
            string? left = merge[0].GetString();
            string? right = merge[1].GetString();
            // Byte-level tokens spell a space as 'Ġ', so a literal space can only mean a different model family.
            return string.IsNullOrEmpty(left) || string.IsNullOrEmpty(right) || left.Contains(' ') || right.Contains(' ')
                ? null
                : $"{left} {right}";
        }

        return null;
    }

    private static void ReadPreTokenizer(
        JsonElement element, List<Regex> splits, ref bool addPrefixSpace, ref bool byteLevel, Func<string, Exception> error)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        string? type = OptionalString(element, "type");
        switch (type)
        {
            case "Sequence":
                foreach (JsonElement inner in element.GetProperty("pretokenizers").EnumerateArray())
                {
                    ReadPreTokenizer(inner, splits, ref addPrefixSpace, ref byteLevel, error);
                }

                break;
            case "ByteLevel":
                byteLevel = true;
                addPrefixSpace |= IsTrue(element, "add_prefix_space");
                if (!element.TryGetProperty("use_regex", out JsonElement useRegex) || useRegex.ValueKind != JsonValueKind.False)
                {
                    splits.Add(PreTokenizer.CreateRegex(PreTokenizer.Gpt2Pattern));
                }

                break;
            case "Digits":
                splits.Add(PreTokenizer.CreateRegex(IsTrue(element, "individual_digits") ? @"\p{N}" : @"\p{N}+"));
                break;
            case "Split":
                if (OptionalString(element, "behavior") != "Isolated" || IsTrue(element, "invert"))
                {
                    throw error("pre_tokenizer Split is supported only with behavior 'Isolated' and invert false");
                }

                JsonElement pattern = element.GetProperty("pattern");
                string regex = OptionalString(pattern, "Regex")
                    ?? Regex.Escape(OptionalString(pattern, "String") ?? throw error("pre_tokenizer Split has no pattern"));
                try
                {
                    splits.Add(PreTokenizer.CreateRegex(regex));
                }
                catch (ArgumentException ex)
                {
                    throw error($"pre_tokenizer Split pattern is not a .NET regex ({ex.Message})");
                }

                break;
            default:
                throw error($"pre_tokenizer type '{type}' is not supported (Sequence, ByteLevel, Split, Digits are)");
        }
    }

    /// <summary>True when the text must be NFC-normalized (Qwen2); false for none (GPT-2, Llama 3).</summary>
    private static bool ReadNormalizer(JsonElement element, Func<string, Exception> error)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        string? type = OptionalString(element, "type");
        return type switch
        {
            "NFC" => true,
            "Sequence" => element.GetProperty("normalizers").EnumerateArray().Aggregate(false, (nfc, inner) => ReadNormalizer(inner, error) | nfc),
            _ => throw error($"normalizer type '{type}' is not supported (NFC or none are)"),
        };
    }

    private static (string? Bos, string? Eos) ReadConfig(string? path)
    {
        if (path is null)
        {
            return (null, null);
        }

        using JsonDocument document = Parse(path);
        JsonElement root = document.RootElement;
        return (TokenContent(root, "bos_token"), TokenContent(root, "eos_token"));
    }

    /// <summary>tokenizer_config.json spells a token either as a string or as an AddedToken object with "content".</summary>
    internal static string? TokenContent(JsonElement root, string name)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object => OptionalString(value, "content"),
            _ => null,
        };
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static bool IsTrue(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;
}
