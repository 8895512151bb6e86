namespace Berth.Dashboard;

/// <summary>What the designed error page shows.</summary>
public sealed record Problem(int Status, string Title, string Detail);
