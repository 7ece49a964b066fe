using System.Text;
using System.Text.RegularExpressions;

namespace Dnet.Generation.Tokenization;

/// <summary>
/// A small byte-level BPE trainer: starts from the 256 byte tokens and repeatedly merges the most frequent adjacent
/// pair in the pre-tokenized corpus. Ties between equally frequent pairs are broken by a seeded hash, then ordinally,
/// so the result depends only on the corpus and the seed.
/// </summary>
internal static class BpeTrainer
{
    /// <summary>Learns up to <paramref name="maxMerges"/> merges; tokens[i] is the byte-level spelling of symbol i.</summary>
    public static (List<string> Tokens, List<(string Left, string Right)> Merges) Train(string corpus, int maxMerges, long seed)
    {
        var tokens = new List<string>(256 + maxMerges);
        var tokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int b = 0; b < 256; b++)
        {
            tokens.Add(ByteLevelAlphabet.Encode((byte)b).ToString());
            tokenIds[tokens[b]] = b;
        }

        // Each distinct pre-tokenized word once, as symbol ids, with its count.
        var wordCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (ValueMatch match in PreTokenizer.CreateRegex(PreTokenizer.Gpt2Pattern).EnumerateMatches(corpus))
        {
            string word = corpus.Substring(match.Index, match.Length);
            wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;
        }

        var words = wordCounts.OrderBy(w => w.Key, StringComparer.Ordinal)
            .Select(w => (Symbols: Encoding.UTF8.GetBytes(w.Key).Select(b => (int)b).ToList(), w.Value))
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
