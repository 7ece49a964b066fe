namespace Dnet.Repl.Commands;

/// <summary>The words after a command do not fit its usage; the session prints the message and the usage line.</summary>
internal sealed class UsageException(string message) : Exception(message);
