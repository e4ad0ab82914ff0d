Object.defineProperty(self.navigator, 'locks', { value: undefined, configurable: true });
