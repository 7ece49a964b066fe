using System.Text.Json;

namespace Dnet.Generation.Tokenization;

/// <summary>
/// Reads the normalizer, pre_tokenizer and decoder of a SentencePiece-style tokenizer.json (BPE over '▁'-spelled
/// text with byte_fallback, as converted from Llama 2 / Mistral sentencepiece models) in its two layouts: the legacy
/// one (normalizer Prepend "▁" + Replace " " → "▁", no pre-tokenizer) and the Metaspace one (pre_tokenizer Metaspace
/// with prepend_scheme first/always/never). Anything else is rejected with the field named.
/// </summary>
internal static class SentencePieceJsonReader
{
    private const string Metaspace = "\u2581";

    /// <summary>True when the file describes SentencePiece-style BPE rather than byte-level BPE.</summary>
    public static bool Applies(JsonElement root, JsonElement model) =>
        IsTrue(model, "byte_fallback")
        || Types(root, "pre_tokenizer", "pretokenizers").Contains("Metaspace")
        || Types(root, "normalizer", "normalizers").Contains("Prepend")
        || Types(root, "decoder", "decoders").Any(t => t is "ByteFallback" or "Metaspace");

    public static SentencePieceLayout Read(JsonElement root, Func<string, Exception> error)
    {
        bool prepend = false, replaceSpaces = false, nfc = false;
        foreach (JsonElement normalizer in Flatten(root, "normalizer", "normalizers"))
        {
            switch (Type(normalizer))
            {
                case "Prepend" when String(normalizer, "prepend") == Metaspace:
                    prepend = true;
                    break;
                case "Replace" when ReplacesSpaceWithMetaspace(normalizer, " ", Metaspace):
                    replaceSpaces = true;
                    break;
                case "NFC":
                    nfc = true;
                    break;
                default:
                    throw error($"normalizer {normalizer.GetRawText()} is not supported with SentencePiece-style BPE (Prepend \"▁\", Replace \" \" → \"▁\", NFC are)");
            }
        }

        DummyPrefix? metaspacePrefix = null;
        bool split = false;
        foreach (JsonElement pre in Flatten(root, "pre_tokenizer", "pretokenizers"))
        {
            if (Type(pre) != "Metaspace" || String(pre, "replacement") != Metaspace || metaspacePrefix is not null)
            {
                throw error($"pre_tokenizer {pre.GetRawText()} is not supported with SentencePiece-style BPE (one Metaspace with replacement \"▁\" is)");
            }

            metaspacePrefix = PrependScheme(pre, error);
            split = !pre.TryGetProperty("split", out JsonElement splitElement) || splitElement.ValueKind != JsonValueKind.False;
        }

        if (metaspacePrefix is not null && (prepend || replaceSpaces))
        {
            throw error("both a Metaspace pre_tokenizer and a Prepend/Replace normalizer spell spaces; only one of the two layouts is supported");
        }

        if (metaspacePrefix is null && !replaceSpaces)
        {
            throw error("SentencePiece-style BPE needs spaces spelled '▁': a Metaspace pre_tokenizer or a Replace \" \" → \"▁\" normalizer");
        }

        DummyPrefix prefix = metaspacePrefix ?? (prepend ? DummyPrefix.EverySectionUnconditionally : DummyPrefix.Never);
        (bool byteTokens, int strip) = ReadDecoder(root, error);
        return new SentencePieceLayout(prefix, split, nfc, byteTokens, strip);
    }

    private static (bool ByteTokens, int Strip) ReadDecoder(JsonElement root, Func<string, Exception> error)
    {
        bool spaces = false, byteTokens = false;
        int strip = 0;
        foreach (JsonElement decoder in Flatten(root, "decoder", "decoders"))
        {
            switch (Type(decoder))
            {
                case "Replace" when ReplacesSpaceWithMetaspace(decoder, Metaspace, " "):
                    spaces = true;
                    break;
                case "ByteFallback":
                    byteTokens = true;
                    break;
                case "Fuse":
                    break;
                case "Strip" when String(decoder, "content") == " " && Int(decoder, "stop") == 0:
                    strip += Int(decoder, "start");
                    break;
                case "Metaspace" when String(decoder, "replacement") == Metaspace:
                    spaces = true;
                    strip += PrependScheme(decoder, error) == DummyPrefix.Never ? 0 : 1;
                    break;
                default:
                    throw error($"decoder {decoder.GetRawText()} is not supported with SentencePiece-style BPE (Replace \"▁\" → \" \", ByteFallback, Fuse, Strip \" \", Metaspace are)");
            }
        }

        return spaces
            ? (byteTokens, strip)
            : throw error("the decoder does not turn '▁' back into spaces (Replace \"▁\" → \" \" or Metaspace)");
    }

    /// <summary>prepend_scheme, or the older add_prefix_space (true meaning "always").</summary>
    private static DummyPrefix PrependScheme(JsonElement element, Func<string, Exception> error) =>
        String(element, "prepend_scheme") switch
        {
            "first" => DummyPrefix.FirstSection,
            "always" => DummyPrefix.EverySection,
            "never" => DummyPrefix.Never,
            null => IsTrue(element, "add_prefix_space") || !element.TryGetProperty("add_prefix_space", out _) ? DummyPrefix.EverySection : DummyPrefix.Never,
            string other => throw error($"Metaspace prepend_scheme '{other}' is not supported (first, always, never are)"),
        };

    private static bool ReplacesSpaceWithMetaspace(JsonElement element, string from, string to) =>
        element.TryGetProperty("pattern", out JsonElement pattern) && String(pattern, "String") == from && String(element, "content") == to;

    /// <summary>The element at root[name], or the items of a Sequence there; nothing for null or missing.</summary>
    private static IEnumerable<JsonElement> Flatten(JsonElement root, string name, string sequenceItems)
    {
        if (!root.TryGetProperty(name, out JsonElement element) || element.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return Type(element) == "Sequence" && element.TryGetProperty(sequenceItems, out JsonElement items) && items.ValueKind == JsonValueKind.Array
            ? [.. items.EnumerateArray()]
            : [element];
    }

    private static IEnumerable<string?> Types(JsonElement root, string name, string sequenceItems) =>
        Flatten(root, name, sequenceItems).Select(Type);

    private static string? Type(JsonElement element) => String(element, "type");

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.TryGetInt32(out int number) ? number : 0;

    private static bool IsTrue(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;
}
