import os


def main():
    print("hello from", os.environ.get("APP_NAME", "app"))


if __name__ == "__main__":
    main()
