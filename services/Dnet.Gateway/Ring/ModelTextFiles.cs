using Dnet.Contracts.Shards;
using Dnet.Generation.Chat;
using Dnet.Generation.Tokenization;
using Grpc.Core;

namespace Dnet.Gateway.Ring;

/// <summary>
/// The text side of a deployed model (tokenizer and chat template), read from the ring's first shard over gRPC: the
/// gateway needs no copy of the model, and a path a shard on another machine reported would mean nothing here.
/// </summary>
internal static class ModelTextFiles
{
    private static readonly TimeSpan ReadDeadline = TimeSpan.FromMinutes(2);

    public static async Task<(TextTokenizer Tokenizer, ChatTemplate Template)> LoadAsync(RingShard shard, string model, CancellationToken cancellationToken)
    {
        var tokenizerJson = await ReadAsync(shard, model, "tokenizer.json", cancellationToken)
            ?? throw new PlanningFailedException(502, $"{shard.Node} has no tokenizer.json for {model}");
        var tokenizerConfig = await ReadAsync(shard, model, "tokenizer_config.json", cancellationToken);

        // The tokenizer reads files; they live only as long as it takes to read them.
        var folder = Directory.CreateTempSubdirectory("dnet-gateway-tokenizer-");
        try
        {
            var tokenizerPath = Path.Combine(folder.FullName, "tokenizer.json");
            await File.WriteAllBytesAsync(tokenizerPath, tokenizerJson, cancellationToken);
            string? configPath = null;
            if (tokenizerConfig is not null)
            {
                configPath = Path.Combine(folder.FullName, "tokenizer_config.json");
                await File.WriteAllBytesAsync(configPath, tokenizerConfig, cancellationToken);
            }

            var tokenizer = TextTokenizer.Load(tokenizerPath, configPath);
            var template = configPath is null ? ChatTemplate.Detect(null) : ChatTemplate.Load(configPath);
            return (tokenizer, template);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<byte[]?> ReadAsync(RingShard shard, string model, string file, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await shard.Client.ReadModelFileAsync(new ReadModelFileRequest { Model = model, File = file },
                deadline: DateTime.UtcNow + ReadDeadline, cancellationToken: cancellationToken);
            return reply.Found ? reply.Data.ToByteArray() : null;
        }
        catch (RpcException exception)
        {
            throw new PlanningFailedException(502, $"{shard.Node} ({shard.Address}) could not send {file} of {model}: {exception.Status.Detail}");
        }
    }
}
