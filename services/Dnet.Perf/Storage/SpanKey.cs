namespace Dnet.Perf;

/// <summary>Identity of a span for de-duplication: span ids are only unique within their trace.</summary>
internal readonly record struct SpanKey(int Trace, ulong SpanId);
