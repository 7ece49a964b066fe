namespace Dnet.AppHost.Supervision;

/// <summary>Marks a resource the <see cref="CrashSupervisor"/> starts again when its process dies unasked.</summary>
internal sealed class RestartOnCrashAnnotation : IResourceAnnotation;
