using System.Collections.Concurrent;
using Dnet.Contracts.Shards;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Dnet.Transport.Tests;

/// <summary>A real token sink on Kestrel (cleartext HTTP/2 on a free loopback port) that records what it receives.</summary>
internal sealed class RecordingTokenSink : TokenSink.TokenSinkBase, IAsyncDisposable
{
    private readonly WebApplication app;

    private RecordingTokenSink(WebApplication app) => this.app = app;

    public BlockingCollection<TokenFrame> Received { get; } = [];

    public string Address => app.Urls.Single();

    public static async Task<RecordingTokenSink> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        RecordingTokenSink? sink = null;
        builder.Services.AddSingleton(_ => sink!);
        var app = builder.Build();
        sink = new RecordingTokenSink(app);
        app.MapGrpcService<RecordingTokenSink>();
        await app.StartAsync();
        return sink;
    }

    public override async Task<StreamClosed> Tokens(IAsyncStreamReader<TokenFrame> requestStream, ServerCallContext context)
    {
        await foreach (var frame in requestStream.ReadAllAsync(context.CancellationToken))
        {
            Received.Add(frame);
        }

        return new StreamClosed();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
