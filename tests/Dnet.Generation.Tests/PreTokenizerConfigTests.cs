using System.Text.Json;
using Dnet.Generation.Tokenization;

namespace Dnet.Generation.Tests;

/// <summary>
/// The pre_tokenizer and ignore_merges variants of real tokenizer.json files, on a hand-made vocabulary whose merges
/// build "12345" one digit at a time and which also has "45" without a merge for it.
/// </summary>
[TestClass]
public sealed class PreTokenizerConfigTests
{
    private const string Llama3Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static readonly object ByteLevelWithRegex = new { type = "ByteLevel", add_prefix_space = false, use_regex = true };
    private static readonly object ByteLevelWithoutRegex = new { type = "ByteLevel", add_prefix_space = false, use_regex = false };

    [TestMethod]
    public void Gpt2_byte_level_regex_keeps_digits_together() =>
        CollectionAssert.AreEqual(new[] { 259 }, Encode(ByteLevelWithRegex, ignoreMerges: false, "12345"));

    [TestMethod]
    public void Llama3_split_cuts_digits_in_threes()
    {
        object llama3 = new
        {
            type = "Sequence",
            pretokenizers = new object[]
            {
                new { type = "Split", pattern = new { Regex = Llama3Pattern }, behavior = "Isolated", invert = false },
                ByteLevelWithoutRegex,
            },
        };

        CollectionAssert.AreEqual(new[] { 257, '4', '5' }, Encode(llama3, ignoreMerges: false, "12345"));
        CollectionAssert.AreEqual(new[] { 257, 260 }, Encode(llama3, ignoreMerges: true, "12345"), "ignore_merges takes whole vocabulary entries");
    }

    [TestMethod]
    public void Digits_pre_tokenizer_isolates_each_digit()
    {
        object smolLm2 = new
        {
            type = "Sequence",
            pretokenizers = new[] { new { type = "Digits", individual_digits = true }, ByteLevelWithRegex },
        };

        CollectionAssert.AreEqual(new[] { '1', '2', '3', '4', '5' }.Select(c => (int)c).ToArray(), Encode(smolLm2, ignoreMerges: false, "12345"));
    }

    [TestMethod]
    public void Unsupported_pre_tokenizer_is_named()
    {
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => Encode(new { type = "Whitespace" }, ignoreMerges: false, "x"));

        StringAssert.Contains(ex.Message, "pre_tokenizer type 'Whitespace' is not supported");
    }

    private static int[] Encode(object preTokenizer, bool ignoreMerges, string text)
    {
        var vocab = Enumerable.Range(0, 256).ToDictionary(b => ByteLevelAlphabet.Encode((byte)b).ToString(), b => b);
        (vocab["12"], vocab["123"], vocab["1234"], vocab["12345"], vocab["45"]) = (256, 257, 258, 259, 260);
        var document = new
        {
            pre_tokenizer = preTokenizer,
            decoder = new { type = "ByteLevel" },
            model = new { type = "BPE", ignore_merges = ignoreMerges, vocab, merges = new[] { "1 2", "12 3", "123 4", "1234 5" } },
        };
        string path = Path.Combine(TokenizerFolder.NewTempFolder(), "tokenizer.json");
        File.WriteAllText(path, JsonSerializer.Serialize(document));
        return [.. TextTokenizer.Load(path).Encode(text)];
    }
}
