using Berth.Registry;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Berth.Dashboard;

/// <summary>
/// Turns the services' <see cref="ManagementException"/> (404 for what the user may not see, 403 for what their role
/// may not do, 400 for a query string out of range, 409 for what a rule forbids, such as deleting an immutable tag) into the designed error page, so page handlers just call the
/// services and let them refuse.
/// </summary>
public sealed class ProblemPageFilter : IAsyncPageFilter
{
    public const string ViewPath = "/Pages/Shared/Problem.cshtml";

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (executed.Exception is ManagementException { Status: 400 or 403 or 404 or 409 } problem && !executed.ExceptionHandled)
        {
            executed.Result = View(new Problem(problem.Status, problem.Title, problem.Message), context.ModelState);
            executed.ExceptionHandled = true;
        }
    }

    public static ViewResult View(Problem problem, ModelStateDictionary modelState) => new()
    {
        ViewName = ViewPath,
        StatusCode = problem.Status,
        ViewData = new ViewDataDictionary<Problem>(new EmptyModelMetadataProvider(), modelState) { Model = problem },
    };
}
