import { route, type ModuleManifest } from '../manifest.js';
import { sandboxClockRoutes } from './routes.js';
import type { SandboxClockService } from './service.js';

export const sandboxClockModule: ModuleManifest<{ clocks: SandboxClockService }> = {
  name: 'sandbox-clock',
  routes: [route('v1', sandboxClockRoutes, (services: { clocks: SandboxClockService }) => ({ clocks: services.clocks }))],
  sandboxHelpers: ['getSandboxClock', 'advanceSandboxClock'],
};
