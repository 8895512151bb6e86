using Berth.Registry.Auth;
using Berth.Registry.Distribution;
using Berth.Registry.Hosting;
using Berth.Registry.Management;

namespace Berth.Registry;

/// <summary>Entry point of <c>berth serve</c>: builds and runs the web host.</summary>
public static class BerthServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var app = Build(args);
        await app.RunAsync();
        return 0;
    }

    public static WebApplication Build(string[] args)
    {
        // appsettings.json ships next to the executable; relative paths in configuration (Berth:DataDir) still
        // resolve against the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddBerth(builder.Configuration);
        builder.Services.AddProblemDetails();
        builder.WebHost.UseKestrel(kestrel => kestrel.AddServerHeader = false);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.MapBerthEndpoints();
        return app;
    }

    public static IEndpointRouteBuilder MapBerthEndpoints(this IEndpointRouteBuilder app)
    {
        var dispatcher = app.ServiceProvider.GetRequiredService<V2Dispatcher>();
        app.Map("/v2", dispatcher.HandleAsync).ExcludeFromDescription();
        app.Map("/v2/{**path}", dispatcher.HandleAsync).ExcludeFromDescription();
        app.MapBerthTokenEndpoint();
        app.MapBerthManagementApi();
        return app;
    }
}
