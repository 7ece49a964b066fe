using System.Diagnostics;
using Dnet.Inference.Kernels;
using Dnet.Testing;

namespace Dnet.Inference.Tests.Kernels;

/// <summary>The machine code in <see cref="TileCode"/> is what GNU as makes of <c>tiles.S</c>: the source is the code.</summary>
[TestClass]
public sealed class TileCodeTests
{
    [TestMethod]
    public void TheEmbeddedBytesAreTheAssembledSource()
    {
        if (!OnPath("as") || !OnPath("objcopy") || !OnPath("nm"))
        {
            Assert.Inconclusive("GNU binutils (as, objcopy, nm) not on PATH; CI installs them");
        }
        string source = Path.Combine(RepositoryFolder.Root, "services", "Dnet.Inference", "Kernels", "tiles.S");
        string work = Directory.CreateTempSubdirectory("dnet-tiles-").FullName;
        try
        {
            string objectFile = Path.Combine(work, "tiles.o"), binary = Path.Combine(work, "tiles.bin");
            Run("as", "-o", objectFile, source);
            Run("objcopy", "-O", "binary", "-j", ".text", objectFile, binary);
            CollectionAssert.AreEqual(File.ReadAllBytes(binary), TileCode.Code.ToArray(), "re-embed the bytes: objcopy -O binary -j .text");
            string symbols = Run("nm", objectFile);
            string block16 = symbols.Split('\n').Single(l => l.EndsWith(" dnet_tiles_block16", StringComparison.Ordinal));
            Assert.AreEqual(TileCode.Block16Offset, Convert.ToInt32(block16.Split(' ')[0], 16));
            string pair32 = symbols.Split('\n').Single(l => l.EndsWith(" dnet_tiles_pair32", StringComparison.Ordinal));
            Assert.AreEqual(TileCode.Pair32Offset, Convert.ToInt32(pair32.Split(' ')[0], 16));
            StringAssert.Contains(symbols, "0000000000000000 T dnet_tiles_block64");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    static string Run(string tool, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"{tool}: {error}");
        return output;
    }
}
