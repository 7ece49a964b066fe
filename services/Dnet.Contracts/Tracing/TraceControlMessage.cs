namespace Dnet.Contracts.Tracing;

/// <summary>
/// A numbered trace-control change. Nodes apply a message only when its <see cref="Revision"/> is newer than what they
/// hold, so a late read of <see cref="TraceControlChannel.StateKey"/> never undoes a newer published change.
/// </summary>
/// <param name="Revision">Change number, increasing from 1 (0: the built-in default).</param>
/// <param name="State">The state to apply.</param>
public sealed record TraceControlMessage(long Revision, TraceControlState State);
