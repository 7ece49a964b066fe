using System.Text;
using System.Text.RegularExpressions;

namespace Dnet.Generation.Tokenization;

/// <summary>
/// A small BPE trainer: starts from an alphabet (the 256 byte-level characters, or the characters of a SentencePiece
/// vocabulary) and repeatedly merges the most frequent adjacent pair in the pre-tokenized corpus. Ties between
/// equally frequent pairs are broken by a seeded hash, then ordinally, so the result depends only on the corpus and
/// the seed.
/// </summary>
internal static class BpeTrainer
{
    /// <summary>Byte-level BPE: learns up to <paramref name="maxMerges"/> merges; tokens[i] is the byte-level spelling of symbol i.</summary>
    public static (List<string> Tokens, List<(string Left, string Right)> Merges) Train(string corpus, int maxMerges, long seed)
    {
        var alphabet = Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.Encode((byte)b).ToString()).ToList();
        var wordCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (ValueMatch match in PreTokenizer.CreateRegex(PreTokenizer.Gpt2Pattern).EnumerateMatches(corpus))
        {
            string word = corpus.Substring(match.Index, match.Length);
            wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;
        }

        return Train(alphabet, wordCounts, word => Encoding.UTF8.GetBytes(word).Select(b => (int)b), maxMerges, seed);
    }

    /// <summary>
    /// SentencePiece-style BPE: the corpus is spelled with '▁' for spaces and a '▁' before every word, as the
    /// tokenizer's normalizer does, and cut into words before each '▁'. tokens[i] is symbol i: the alphabet, then
    /// merged tokens.
    /// </summary>
    public static (List<string> Tokens, List<(string Left, string Right)> Merges) TrainSentencePiece(
        string corpus, IReadOnlyList<string> alphabet, int maxMerges, long seed)
    {
        var index = alphabet.Select((symbol, id) => (symbol, id)).ToDictionary(p => p.symbol, p => p.id, StringComparer.Ordinal);
        var wordCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string word in corpus.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            string spelled = SentencePieceLayout.Metaspace + word;
            wordCounts[spelled] = wordCounts.GetValueOrDefault(spelled) + 1;
        }

        // Characters outside the alphabet stay out of training, as byte fallback covers them at encode time.
        IEnumerable<int> Symbols(string word) =>
            word.EnumerateRunes().Select(rune => index.GetValueOrDefault(rune.ToString(), -1)).Where(id => id >= 0);
        return Train(alphabet, wordCounts, Symbols, maxMerges, seed);
    }

    private static (List<string> Tokens, List<(string Left, string Right)> Merges) Train(
        IReadOnlyList<string> alphabet, Dictionary<string, int> wordCounts, Func<string, IEnumerable<int>> symbolsOf, int maxMerges, long seed)
    {
        var tokens = new List<string>(alphabet.Count + maxMerges);
        var tokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string symbol in alphabet)
        {
            tokenIds[symbol] = tokens.Count;
            tokens.Add(symbol);
        }

        // Each distinct pre-tokenized word once, as symbol ids, with its count.
        var words = wordCounts.OrderBy(w => w.Key, StringComparer.Ordinal)
            .Select(w => (Symbols: symbolsOf(w.Key).ToList(), w.Value))
            .ToList();

        var merges = new List<(string, string)>(maxMerges);
        var pairCounts = new Dictionary<(int, int), int>();
        while (merges.Count < maxMerges)
        {
            pairCounts.Clear();
            foreach ((List<int> symbols, int count) in words)
            {
                for (int i = 0; i + 1 < symbols.Count; i++)
                {
                    (int, int) pair = (symbols[i], symbols[i + 1]);
                    pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + count;
                }
            }

            if (pairCounts.Count == 0)
            {
                break;
            }

            (int left, int right) = Best(pairCounts, tokens, seed);
            string merged = tokens[left] + tokens[right];
            if (!tokenIds.TryGetValue(merged, out int mergedId))
            {
                mergedId = tokens.Count;
                tokens.Add(merged);
                tokenIds[merged] = mergedId;
            }

            merges.Add((tokens[left], tokens[right]));
            foreach ((List<int> symbols, _) in words)
            {
                for (int i = 0; i + 1 < symbols.Count; i++)
                {
                    if (symbols[i] == left && symbols[i + 1] == right)
                    {
                        symbols[i] = mergedId;
                        symbols.RemoveAt(i + 1);
                    }
                }
            }
        }

        return (tokens, merges);
    }

    private static (int, int) Best(Dictionary<(int, int), int> pairCounts, List<string> tokens, long seed)
    {
        (int, int) best = default;
        int bestCount = -1;
        ulong bestHash = 0;
        foreach (((int left, int right) pair, int count) in pairCounts)
        {
            if (count < bestCount)
            {
                continue;
            }

            ulong hash = Hash(tokens[pair.left], tokens[pair.right], seed);
            if (count > bestCount || hash < bestHash || (hash == bestHash && Compare(pair, best, tokens) < 0))
            {
                (best, bestCount, bestHash) = (pair, count, hash);
            }
        }

        return best;
    }

    private static int Compare((int Left, int Right) a, (int Left, int Right) b, List<string> tokens)
    {
        int order = string.CompareOrdinal(tokens[a.Left], tokens[b.Left]);
        return order != 0 ? order : string.CompareOrdinal(tokens[a.Right], tokens[b.Right]);
    }

    /// <summary>FNV-1a over both spellings, mixed with the seed: stable across processes, unlike string.GetHashCode.</summary>
    private static ulong Hash(string left, string right, long seed)
    {
        ulong hash = 0xCBF29CE484222325UL ^ (ulong)seed;
        foreach (char c in left)
        {
            hash = (hash ^ c) * 0x100000001B3UL;
        }

        hash = (hash ^ ' ') * 0x100000001B3UL;
        foreach (char c in right)
        {
            hash = (hash ^ c) * 0x100000001B3UL;
        }

        return hash ^ (hash >> 29);
    }
}
