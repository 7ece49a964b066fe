using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Dnet.AppHost.Supervision;

/// <summary>
/// <c>WithRestartOnCrash()</c>: the resource is started again when its process dies without being asked to
/// (<see cref="CrashSupervisor"/>). <c>Dnet:Supervision:Enabled=false</c> turns the supervisor off (a test that keeps a
/// process down on purpose).
/// </summary>
internal static class SupervisionExtensions
{
    public const string EnabledKey = "Dnet:Supervision:Enabled";

    public static IResourceBuilder<T> WithRestartOnCrash<T>(this IResourceBuilder<T> resource) where T : IResource
    {
        var builder = resource.ApplicationBuilder;
        if (builder.ExecutionContext.IsRunMode && builder.Configuration.GetValue(EnabledKey, defaultValue: true))
        {
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CrashSupervisor>());
        }

        return resource.WithAnnotation(new RestartOnCrashAnnotation(), ResourceAnnotationMutationBehavior.Replace);
    }
}
