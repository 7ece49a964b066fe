using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dnet.Generation.Tokenization;

/// <summary>Size and seed of a generated tokenizer.</summary>
public sealed record GeneratedTokenizerOptions
{
    /// <summary>Exact number of token ids, specials and reserved padding included (512 for dnet-tiny, 49152 like SmolLM2).</summary>
    public int VocabSize { get; init; } = 512;

    /// <summary>Breaks ties between equally frequent merges.</summary>
    public long Seed { get; init; }

    /// <summary>Byte-level BPE (SmolLM2 style, the default) or SentencePiece-style BPE with byte fallback.</summary>
    public GeneratedTokenizerLayout Layout { get; init; }
}

/// <summary>The kind of tokenizer.json a generated model gets.</summary>
public enum GeneratedTokenizerLayout
{
    /// <summary>Byte-level BPE with ChatML specials, as SmolLM2.</summary>
    ByteLevel,

    /// <summary>
    /// SentencePiece-style BPE as in Llama 2 / Mistral v0.1 files: normalizer Prepend "▁" + Replace " " → "▁", no
    /// pre-tokenizer, byte_fallback with &lt;0x00&gt;..&lt;0xFF&gt;, merges as "a b" strings, the Mistral [INST] template.
    /// </summary>
    SentencePiece,

    /// <summary>The same model with the newer layout: pre_tokenizer Metaspace (prepend_scheme "first"), merges as [a, b] arrays.</summary>
    SentencePieceMetaspace,
}

/// <summary>
/// Writes a real SmolLM2-style byte-level BPE tokenizer (tokenizer.json and tokenizer_config.json) for generated
/// checkpoints, since no model can be downloaded here. Ids: 0 &lt;|endoftext|&gt;, 1 &lt;|im_start|&gt;,
/// 2 &lt;|im_end|&gt;, then the 256 byte tokens, then merges learned from an embedded English corpus; when the corpus
/// runs out of merges, special &lt;|reserved_N|&gt; tokens fill the vocabulary to its exact size.
/// The same options always give byte-identical files.
/// </summary>
public static class GeneratedTokenizer
{
    /// <summary>SmolLM2-Instruct's ChatML template without its default system prompt.</summary>
    public const string ChatTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static readonly string[] SpecialTokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];
    private static readonly int MinimumVocabSize = SpecialTokens.Length + 256;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        // Keep byte-level characters like 'Ġ' and markers like '<' readable, as HuggingFace writes them.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes tokenizer.json and tokenizer_config.json into <paramref name="folder"/> (created if needed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">VocabSize is below 259 (3 specials + 256 bytes), or for a
    /// SentencePiece layout below the 3 specials, 256 byte tokens and its characters (about 90).</exception>
    public static void Write(string folder, GeneratedTokenizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Layout != GeneratedTokenizerLayout.ByteLevel)
        {
            GeneratedSentencePieceTokenizer.Write(folder, options);
            return;
        }

        if (options.VocabSize < MinimumVocabSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.VocabSize,
                $"VocabSize must be at least {MinimumVocabSize} (3 special tokens + 256 byte tokens).");
        }

        (List<string> learned, List<(string Left, string Right)> merges) =
            BpeTrainer.Train(TrainingCorpus.Text, options.VocabSize - MinimumVocabSize, options.Seed);
        // Merges can rebuild a token that exists already, so the learned tokens (bytes first) may be fewer than merges.
        var added = SpecialTokens.Select((token, id) => (token, id)).ToList();
        int next = SpecialTokens.Length + learned.Count;
        for (int n = 0; next < options.VocabSize; n++, next++)
        {
            added.Add(($"<|reserved_{n}|>", next));
        }

        Directory.CreateDirectory(folder);
        WriteJson(Path.Combine(folder, "tokenizer.json"), w => WriteTokenizerJson(w, learned, merges, added));
        WriteJson(Path.Combine(folder, "tokenizer_config.json"), WriteConfig);
    }

    private static void WriteTokenizerJson(
        Utf8JsonWriter w, List<string> learned, List<(string Left, string Right)> merges, List<(string Token, int Id)> added)
    {
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");
        WriteAddedTokens(w, added);
        w.WriteNull("normalizer");
        WriteByteLevel(w, "pre_tokenizer", addPrefixSpace: false);
        WriteByteLevel(w, "post_processor", addPrefixSpace: true);
        WriteByteLevel(w, "decoder", addPrefixSpace: true);

        w.WriteStartObject("model");
        w.WriteString("type", "BPE");
        w.WriteNull("dropout");
        w.WriteNull("unk_token");
        w.WriteNull("continuing_subword_prefix");
        w.WriteNull("end_of_word_suffix");
        w.WriteBoolean("fuse_unk", false);
        w.WriteBoolean("byte_fallback", false);
        w.WriteBoolean("ignore_merges", false);
        w.WriteStartObject("vocab");
        for (int i = 0; i < SpecialTokens.Length; i++)
        {
            w.WriteNumber(SpecialTokens[i], i);
        }

        for (int i = 0; i < learned.Count; i++)
        {
            w.WriteNumber(learned[i], SpecialTokens.Length + i);
        }

        w.WriteEndObject();
        w.WriteStartArray("merges");
        foreach ((string left, string right) in merges)
        {
            w.WriteStartArray();
            w.WriteStringValue(left);
            w.WriteStringValue(right);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Added tokens as HuggingFace writes them: all special, none normalized.</summary>
    internal static void WriteAddedTokens(Utf8JsonWriter w, IEnumerable<(string Token, int Id)> added)
    {
        w.WriteStartArray("added_tokens");
        foreach ((string token, int id) in added)
        {
            w.WriteStartObject();
            w.WriteNumber("id", id);
            w.WriteString("content", token);
            w.WriteBoolean("single_word", false);
            w.WriteBoolean("lstrip", false);
            w.WriteBoolean("rstrip", false);
            w.WriteBoolean("normalized", false);
            w.WriteBoolean("special", true);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteByteLevel(Utf8JsonWriter w, string name, bool addPrefixSpace)
    {
        w.WriteStartObject(name);
        w.WriteString("type", "ByteLevel");
        w.WriteBoolean("add_prefix_space", addPrefixSpace);
        w.WriteBoolean("trim_offsets", true);
        w.WriteBoolean("use_regex", true);
        w.WriteEndObject();
    }

    private static void WriteConfig(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteBoolean("add_prefix_space", false);
        w.WriteString("bos_token", "<|im_start|>");
        w.WriteString("chat_template", ChatTemplate);
        w.WriteBoolean("clean_up_tokenization_spaces", false);
        w.WriteString("eos_token", "<|im_end|>");
        w.WriteStartArray("additional_special_tokens");
        w.WriteStringValue("<|im_start|>");
        w.WriteStringValue("<|im_end|>");
        w.WriteEndArray();
        w.WriteNumber("model_max_length", 8192);
        w.WriteString("pad_token", "<|im_end|>");
        w.WriteString("tokenizer_class", "GPT2Tokenizer");
        w.WriteString("unk_token", "<|endoftext|>");
        w.WriteEndObject();
    }

    internal static void WriteJson(string path, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            write(writer);
        }

        stream.WriteByte((byte)'\n');
        File.WriteAllBytes(path, stream.ToArray());
    }
}
