// Types of human-check.js for the unit tests (the pages themselves have no build step).

export function refusedHumanCheck(code: string | undefined): boolean;

export interface HumanCheck {
	headers(signal: AbortSignal): Promise<Record<string, string>>;
	accept(res: Response): void;
	refused(): void;
}

export function createHumanCheck(
	container: { hidden: boolean; ownerDocument: unknown },
	loadModels: () => Promise<{ turnstile?: { siteKey: string; action: string } | null }>,
	say?: (text: string) => void,
): HumanCheck;
