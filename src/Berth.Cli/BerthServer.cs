using Berth.Dashboard;
using Berth.Registry.Hosting;

namespace Berth.Cli;

/// <summary>Entry point of <c>berth serve</c> and the composition root: builds and runs the web host.</summary>
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
        builder.Services.AddBerthDashboard();
        builder.WebHost.UseKestrel(kestrel => kestrel.AddServerHeader = false);

        // Allocate a receive buffer only once data is there: skips a zero-byte read before every socket read.
        builder.WebHost.UseSockets(sockets => sockets.WaitForDataBeforeAllocatingBuffer = false);

        var app = builder.Build();
        app.UseBerthForwardedHeaders();
        app.UseExceptionHandler();
        app.UseBerthDashboard();

        // An API error the framework answers without a body (a request body that stalled, a method not mapped) still
        // gets its RFC 7807 problem; /v2 and the dashboard write their own error bodies.
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapBerthEndpoints();
        app.MapBerthDashboard();
        return app;
    }
}
