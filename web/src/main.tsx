import '@mantine/core/styles.css';
import { Alert, createTheme, MantineProvider, type CSSVariablesResolver } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';

/**
 * Mantine's default blue, one shade darker: white text on it reads at WCAG AA contrast. An alert's
 * title is in the text's colour (its tint says what kind it is): a tinted title on a tinted ground
 * does not read at AA contrast. Who asks their system for less motion gets no transitions.
 */
const theme = createTheme({
  primaryShade: 8,
  respectReducedMotion: true,
  components: { Alert: Alert.extend({ styles: { title: { color: 'var(--mantine-color-text)' } } }) },
});

/** Descriptions and placeholders in a grey dark enough to read at WCAG AA contrast on white. */
const readableGreys: CSSVariablesResolver = (current) => ({
  variables: {},
  light: { '--mantine-color-dimmed': current.colors.gray[7], '--mantine-color-placeholder': current.colors.gray[7] },
  dark: {},
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={readableGreys}>
      <App />
    </MantineProvider>
  </StrictMode>,
);
