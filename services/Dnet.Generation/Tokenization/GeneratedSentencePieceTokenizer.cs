using System.Text.Json;

namespace Dnet.Generation.Tokenization;

/// <summary>
/// Writes a SentencePiece-style BPE tokenizer (tokenizer.json and tokenizer_config.json) laid out as HuggingFace
/// converts Llama 2 and Mistral models: ids 0 &lt;unk&gt;, 1 &lt;s&gt;, 2 &lt;/s&gt;, 3..258 the byte tokens
/// &lt;0x00&gt;..&lt;0xFF&gt;, then '▁' and the characters, then merges learned from the embedded corpus; when merges
/// run out, special &lt;reserved_N&gt; tokens fill the vocabulary to its exact size. A few accented letters and CJK
/// characters are in the vocabulary so that non-ASCII text meets both its own tokens and byte fallback.
/// The same options always give byte-identical files.
/// </summary>
internal static class GeneratedSentencePieceTokenizer
{
    /// <summary>Mistral-7B-Instruct-v0.1's chat template.</summary>
    public const string ChatTemplate =
        "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
        + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
        + "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
        + "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
        + "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

    private static readonly string[] SpecialTokens = ["<unk>", "<s>", "</s>"];

    /// <summary>Characters beyond the corpus's ASCII; other non-ASCII text (say 世界, emoji) takes byte fallback.</summary>
    private const string ExtraCharacters = "éèàçïüöñß中文你好";

    /// <summary>'▁', the corpus's characters and the extra ones, in ordinal order after '▁'.</summary>
    private static List<string> Alphabet() =>
        [SentencePieceLayout.Metaspace.ToString(),
            .. (TrainingCorpus.Text + ExtraCharacters).EnumerateRunes()
                .Where(r => r.Value is not (' ' or '\n' or '\r'))
                .Select(r => r.ToString())
                .Distinct()
                .Order(StringComparer.Ordinal)];

    public static void Write(string folder, GeneratedTokenizerOptions options)
    {
        List<string> alphabet = Alphabet();
        int minimum = SpecialTokens.Length + 256 + alphabet.Count;
        if (options.VocabSize < minimum)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.VocabSize,
                $"VocabSize must be at least {minimum} for a SentencePiece-style tokenizer (3 special tokens + 256 byte tokens + {alphabet.Count} characters).");
        }

        (List<string> learned, List<(string Left, string Right)> merges) =
            BpeTrainer.TrainSentencePiece(TrainingCorpus.Text, alphabet, options.VocabSize - minimum, options.Seed);
        var vocab = new List<string>(options.VocabSize);
        vocab.AddRange(SpecialTokens);
        vocab.AddRange(Enumerable.Range(0, 256).Select(b => SentencePieceBpe.ByteToken((byte)b)));
        vocab.AddRange(learned);
        var added = SpecialTokens.Select((token, id) => (token, id)).ToList();
        for (int n = 0; vocab.Count < options.VocabSize; n++)
        {
            added.Add(($"<reserved_{n}>", vocab.Count));
            vocab.Add($"<reserved_{n}>");
        }

        bool metaspace = options.Layout == GeneratedTokenizerLayout.SentencePieceMetaspace;
        Directory.CreateDirectory(folder);
        GeneratedTokenizer.WriteJson(Path.Combine(folder, "tokenizer.json"), w => WriteTokenizerJson(w, vocab, merges, added, metaspace));
        GeneratedTokenizer.WriteJson(Path.Combine(folder, "tokenizer_config.json"), w => WriteConfig(w, metaspace));
    }

    private static void WriteTokenizerJson(
        Utf8JsonWriter w, List<string> vocab, List<(string Left, string Right)> merges, List<(string Token, int Id)> added, bool metaspace)
    {
        w.WriteStartObject();
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");
        GeneratedTokenizer.WriteAddedTokens(w, added);
        if (metaspace)
        {
            w.WriteNull("normalizer");
            w.WriteStartObject("pre_tokenizer");
            w.WriteString("type", "Metaspace");
            w.WriteString("replacement", "▁");
            w.WriteString("prepend_scheme", "first");
            w.WriteBoolean("split", false);
            w.WriteEndObject();
        }
        else
        {
            w.WriteStartObject("normalizer");
            w.WriteString("type", "Sequence");
            w.WriteStartArray("normalizers");
            w.WriteStartObject();
            w.WriteString("type", "Prepend");
            w.WriteString("prepend", "▁");
            w.WriteEndObject();
            WriteReplace(w, " ", "▁");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteNull("pre_tokenizer");
        }

        WriteBosPostProcessor(w);
        WriteDecoder(w);
        w.WriteStartObject("model");
        w.WriteString("type", "BPE");
        w.WriteNull("dropout");
        w.WriteString("unk_token", "<unk>");
        w.WriteNull("continuing_subword_prefix");
        w.WriteNull("end_of_word_suffix");
        w.WriteBoolean("fuse_unk", true);
        w.WriteBoolean("byte_fallback", true);
        w.WriteBoolean("ignore_merges", false);
        w.WriteStartObject("vocab");
        for (int id = 0; id < vocab.Count; id++)
        {
            w.WriteNumber(vocab[id], id);
        }

        w.WriteEndObject();
        w.WriteStartArray("merges");
        foreach ((string left, string right) in merges)
        {
            // Older files (Llama 2, Mistral v0.1) spell a merge "a b", newer ones ["a", "b"]; one of each layout.
            if (metaspace)
            {
                w.WriteStartArray();
                w.WriteStringValue(left);
                w.WriteStringValue(right);
                w.WriteEndArray();
            }
            else
            {
                w.WriteStringValue($"{left} {right}");
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>HF's encode(add_special_tokens=True) prepends &lt;s&gt;; Dnet's Encode does not (the chat template writes it).</summary>
    private static void WriteBosPostProcessor(Utf8JsonWriter w)
    {
        w.WriteStartObject("post_processor");
        w.WriteString("type", "TemplateProcessing");
        foreach (string name in new[] { "single", "pair" })
        {
            w.WriteStartArray(name);
            foreach (string sequence in name == "single" ? ["A"] : new[] { "A", "B" })
            {
                w.WriteStartObject();
                w.WriteStartObject("SpecialToken");
                w.WriteString("id", "<s>");
                w.WriteNumber("type_id", 0);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartObject();
                w.WriteStartObject("Sequence");
                w.WriteString("id", sequence);
                w.WriteNumber("type_id", 0);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteStartObject("special_tokens");
        w.WriteStartObject("<s>");
        w.WriteString("id", "<s>");
        w.WriteStartArray("ids");
        w.WriteNumberValue(1);
        w.WriteEndArray();
        w.WriteStartArray("tokens");
        w.WriteStringValue("<s>");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteDecoder(Utf8JsonWriter w)
    {
        w.WriteStartObject("decoder");
        w.WriteString("type", "Sequence");
        w.WriteStartArray("decoders");
        WriteReplace(w, "▁", " ");
        w.WriteStartObject();
        w.WriteString("type", "ByteFallback");
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("type", "Fuse");
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("type", "Strip");
        w.WriteString("content", " ");
        w.WriteNumber("start", 1);
        w.WriteNumber("stop", 0);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteReplace(Utf8JsonWriter w, string pattern, string content)
    {
        w.WriteStartObject();
        w.WriteString("type", "Replace");
        w.WriteStartObject("pattern");
        w.WriteString("String", pattern);
        w.WriteEndObject();
        w.WriteString("content", content);
        w.WriteEndObject();
    }

    private static void WriteConfig(Utf8JsonWriter w, bool metaspace)
    {
        w.WriteStartObject();
        w.WriteBoolean("add_bos_token", true);
        w.WriteBoolean("add_eos_token", false);
        w.WriteString("bos_token", "<s>");
        w.WriteString("chat_template", ChatTemplate);
        w.WriteBoolean("clean_up_tokenization_spaces", false);
        w.WriteString("eos_token", "</s>");
        w.WriteBoolean("legacy", !metaspace);
        w.WriteNumber("model_max_length", 32768);
        w.WriteNull("pad_token");
        w.WriteString("tokenizer_class", "LlamaTokenizer");
        w.WriteString("unk_token", "<unk>");
        w.WriteEndObject();
    }
}
