using Microsoft.Extensions.DependencyInjection;

namespace Monitor.Core.WebConsole;

internal static class ConsoleServiceCollectionExtensions
{
    /// <summary>The web console over the reporting API (hosted by the function app and `monitor serve`).</summary>
    public static IServiceCollection AddMonitorConsole(this IServiceCollection services) => services.AddSingleton<ConsoleSite>();
}
