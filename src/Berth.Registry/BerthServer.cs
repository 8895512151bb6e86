namespace Berth.Registry;

/// <summary>Entry point of <c>berth serve</c>: builds and runs the web host.</summary>
public static class BerthServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var app = builder.Build();
        await app.RunAsync();
        return 0;
    }
}
