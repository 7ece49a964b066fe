using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Dnet.ServiceDefaults.Http;

/// <summary>
/// The body of a request that announced no length (chunked): readers see at most the body cap, then a 413
/// <see cref="OpenAiException"/>, so nothing parses or buffers more than the cap. Kestrel itself is allowed to read up
/// to <see cref="HttpLimitsOptions.MaxDrainBytes"/>, so that the rest can be discarded and the client, still
/// uploading, reads the 413 instead of a reset connection.
/// </summary>
internal sealed class CappedRequestBody(Stream inner, long cap) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public static OpenAiException TooLarge(long cap) => new(StatusCodes.Status413PayloadTooLarge, OpenAiError.InvalidRequest(
        $"The request body is larger than the {cap} bytes this service accepts (Dnet:Http:MaxRequestBodyBytes).", null, "request_too_large"));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    /// <summary>Reads and drops the rest of the body; false when it was over the drain limit too (Kestrel refused it).</summary>
    public async Task<bool> DiscardRestAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await inner.ReadAsync(buffer, cancellationToken) > 0)
            {
            }

            return true;
        }
        catch (BadHttpRequestException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        _read += read;
        return _read > cap ? throw TooLarge(cap) : read;
    }
}
