using System.Diagnostics;
using Dnet.Contracts.Shards;

namespace Dnet.Shard.Ring;

/// <summary>An activation frame as received, with when it arrived and the request's trace context.</summary>
internal sealed record InboundFrame(ActivationFrame Frame, DateTimeOffset ReceivedAt, ActivityContext Parent);
