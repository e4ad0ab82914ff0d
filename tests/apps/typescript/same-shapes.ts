// Every type @tidal-music/event-producer 2.4.1 exports has the same shape in
// tidal-event-producer-wasm. Where this package takes more than TIDAL's
// (more platform fields; a config that may leave out what has a default),
// whatever TIDAL's types accept is accepted. A line that doesn't hold fails
// to compile.
import type * as Tidal from '@tidal-music/event-producer';
import type * as Ours from 'tidal-event-producer-wasm';

// true only for the same type, not for two types merely assignable both ways.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
// true when every value of Given is also a Taken.
type Accepts<Taken, Given> = [Given] extends [Taken] ? true : false;
type Holds<Check extends true> = Check;

export type SameShapes = [
  Holds<Same<Ours.ConsentCategory, Tidal.ConsentCategory>>,
  Holds<Same<Ours.BlockedConsentCategories, Tidal.BlockedConsentCategories>>,
  Holds<Same<typeof Ours.defaultBlockedConsentCategories, typeof Tidal.defaultBlockedConsentCategories>>,
  Holds<Same<Ours.AppInfo, Tidal.AppInfo>>,
  Holds<Same<Ours.EventHeaders, Tidal.EventHeaders>>,
  Holds<Same<Ours.SentEvent, Tidal.SentEvent>>,
  Holds<Same<Ours.EPEvent, Tidal.EPEvent>>,
  // TIDAL's three fields as TIDAL types them; the rest are optional.
  Holds<Same<Pick<Ours.PlatformData, keyof Tidal.PlatformData>, Tidal.PlatformData>>,
  Holds<Accepts<Ours.PlatformData, Tidal.PlatformData>>,
  Holds<Accepts<Tidal.PlatformData, Ours.PlatformData>>,
];

export type TidalInputsAccepted = [
  Holds<Accepts<Ours.Config, Tidal.Config>>,
  Holds<Accepts<Parameters<typeof Ours.init>, Parameters<typeof Tidal.init>>>,
  Holds<Accepts<Parameters<typeof Ours.sendEvent>, Parameters<typeof Tidal.sendEvent>>>,
  Holds<Accepts<Parameters<typeof Ours.setConsentCategory>, Parameters<typeof Tidal.setConsentCategory>>>,
  Holds<Accepts<Parameters<typeof Ours.setCredentialsProvider>, Parameters<typeof Tidal.setCredentialsProvider>>>,
];
